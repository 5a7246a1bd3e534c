use async_trait::async_trait;
use tessera_core::store::{GroupStore, StoreError, StoreResult};
use tessera_core::{Group, UserId};
use time::OffsetDateTime;

use crate::{BeginWrite, SqlStore, map_sqlx, on_pool};

#[async_trait]
impl GroupStore for SqlStore {
    async fn create_group(&self, name: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO user_groups (name, created_at) VALUES ($1, $2)")
                .bind(name).bind(OffsetDateTime::now_utc().unix_timestamp())
                .execute(pool).await.map(|_| ()).map_err(map_sqlx)
        })
    }

    async fn add_to_group(&self, group: &str, user: UserId) -> StoreResult<()> {
        on_pool!(self, pool => {
            // Write first, in one statement: a SQLite transaction that reads and then writes
            // cannot take the write lock once another writer has committed, and fails at once
            // with "database is locked" instead of waiting out the busy timeout.
            let added = sqlx::query(
                "INSERT INTO group_members (group_name, user_id) \
                 SELECT name, $2 FROM user_groups WHERE name = $1 ON CONFLICT DO NOTHING",
            )
            .bind(group).bind(user.to_string())
            .execute(pool).await.map_err(map_sqlx)?.rows_affected();
            if added == 0 {
                // Already a member, or no such group.
                let exists: Option<(String,)> = sqlx::query_as("SELECT name FROM user_groups WHERE name = $1")
                    .bind(group).fetch_optional(pool).await.map_err(map_sqlx)?;
                if exists.is_none() {
                    return Err(StoreError::NotFound("group"));
                }
            }
            Ok(())
        })
    }

    async fn remove_from_group(&self, group: &str, user: UserId) -> StoreResult<bool> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM group_members WHERE group_name = $1 AND user_id = $2")
                .bind(group).bind(user.to_string())
                .execute(pool).await.map(|r| r.rows_affected() > 0).map_err(map_sqlx)
        })
    }

    async fn list_groups(&self) -> StoreResult<Vec<Group>> {
        let rows: Vec<(String, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT g.name, u.username FROM user_groups g \
                 LEFT JOIN group_members m ON m.group_name = g.name \
                 LEFT JOIN users u ON u.id = m.user_id \
                 ORDER BY g.name, u.username_folded",
            )
            .fetch_all(pool).await.map_err(map_sqlx)?
        });
        let mut groups: Vec<Group> = Vec::new();
        for (name, member) in rows {
            if groups.last().is_none_or(|g| g.name != name) {
                groups.push(Group {
                    name,
                    members: Vec::new(),
                });
            }
            if let (Some(group), Some(member)) = (groups.last_mut(), member) {
                group.members.push(member);
            }
        }
        Ok(groups)
    }

    async fn delete_group(&self, name: &str) -> StoreResult<bool> {
        on_pool!(self, pool => {
            // Memberships go with it (ON DELETE CASCADE).
            sqlx::query("DELETE FROM user_groups WHERE name = $1")
                .bind(name).execute(pool).await.map(|r| r.rows_affected() > 0).map_err(map_sqlx)
        })
    }

    async fn rename_group(&self, old: &str, new: &str) -> StoreResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await.map_err(map_sqlx)?;
            // The memberships' key is the name and has no ON UPDATE CASCADE: copy the group
            // under its new name, move the members, drop the old one — in one transaction.
            let copied = sqlx::query("INSERT INTO user_groups (name, created_at) SELECT $2, created_at FROM user_groups WHERE name = $1")
                .bind(old).bind(new).execute(&mut *tx).await.map_err(map_sqlx)?.rows_affected();
            if copied == 0 {
                return Err(StoreError::NotFound("group"));
            }
            sqlx::query("UPDATE group_members SET group_name = $2 WHERE group_name = $1")
                .bind(old).bind(new).execute(&mut *tx).await.map_err(map_sqlx)?;
            sqlx::query("DELETE FROM user_groups WHERE name = $1")
                .bind(old).execute(&mut *tx).await.map_err(map_sqlx)?;
            tx.commit().await.map_err(map_sqlx)
        })
    }

    async fn groups_of(&self, user: UserId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT group_name FROM group_members WHERE user_id = $1 ORDER BY group_name")
                .bind(user.to_string()).fetch_all(pool).await.map_err(map_sqlx)?
        });
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }
}
