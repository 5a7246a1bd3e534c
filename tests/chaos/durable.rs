//! What the scenarios check in the database and on the servers afterwards: everything the
//! servers acknowledged is there, nothing is doubled, every job finished.

use std::collections::BTreeMap;

use super::load::{Tally, Worker};
use crate::oidc::DEMO_SECRET;

async fn connect(database: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(database).await.expect("connect")
}

/// Every write the load was told was done is in the database, and every worker's newest
/// refresh token still works on `base` unless its last rotation's answer was lost (then it
/// may be spent: counted and printed): registrations, consents, links and unlinks.
pub(super) async fn assert_acknowledged_writes_kept(database: &str, base: &str, tally: &Tally, workers: &[Worker]) {
    let missing = missing_registrations(database, &tally.registered).await;
    assert!(missing.is_empty(), "acknowledged registrations lost: {missing:?}");
    let consented = consented(database).await;
    let forgotten: Vec<&String> = tally.consented.iter().filter(|u| !consented.contains(*u)).collect();
    assert!(forgotten.is_empty(), "acknowledged consents lost: {forgotten:?}");
    assert!(tally.links_lost.is_empty(), "{:#?}", tally.links_lost);
    let mut links = Vec::new();
    for (person, known) in workers.iter().filter_map(|w| w.link) {
        let owners = owners_of(database, person.provider, person.subject).await;
        links.push(format!(
            "{}/{}: {known:?} → {owners:?}",
            person.provider, person.subject
        ));
        match known {
            Some(true) => assert_eq!(owners, ["jane"], "{person:?}: an acknowledged link lost"),
            Some(false) => assert!(
                owners.is_empty(),
                "{person:?}: an acknowledged unlink undone: {owners:?}"
            ),
            None => assert!(owners.len() <= 1, "{person:?} linked twice: {owners:?}"),
        }
    }
    let http = reqwest::Client::new();
    let (mut working, mut uncertain) = (0, 0);
    for worker in workers {
        let answer = http
            .post(format!("{base}/token"))
            .basic_auth("demo-app", Some(DEMO_SECRET))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", worker.refresh.as_str()),
            ])
            .send()
            .await
            .expect("refresh");
        let status = answer.status();
        if worker.refresh_uncertain {
            uncertain += 1;
        } else {
            assert_eq!(
                status,
                200,
                "a worker's newest refresh token stopped working: {:?}",
                answer.text().await
            );
            working += 1;
        }
    }
    eprintln!(
        "acknowledged: {} registrations, {} consents; links (known → owners): {links:?}; newest refresh tokens: {working} working, {uncertain} after a lost answer (not checked)",
        tally.registered.len(),
        tally.consented.len()
    );
}

/// The usernames that allowed the demo app.
async fn consented(database: &str) -> std::collections::HashSet<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.username FROM grants g JOIN users u ON u.id = g.user_id WHERE g.client_id = 'demo-app'",
    )
    .fetch_all(&mut connect(database).await)
    .await
    .expect("grants");
    rows.into_iter().map(|(u,)| u).collect()
}

/// The accounts an upstream identity is linked to.
async fn owners_of(database: &str, provider: &str, subject: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.username FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = $1 AND i.subject = $2",
    )
    .bind(provider)
    .bind(subject)
    .fetch_all(&mut connect(database).await)
    .await
    .expect("identities");
    rows.into_iter().map(|(u,)| u).collect()
}

pub(super) async fn missing_registrations(database: &str, registered: &[String]) -> Vec<String> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let present: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(&mut db)
        .await
        .expect("users");
    let present: std::collections::HashSet<String> = present.into_iter().map(|(u,)| u.to_lowercase()).collect();
    registered
        .iter()
        .filter(|u| !present.contains(&u.to_lowercase()))
        .cloned()
        .collect()
}

pub(super) async fn families_with_two_live_tokens(database: &str) -> i64 {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT family_id FROM refresh_tokens WHERE NOT rotated AND NOT revoked \
         GROUP BY family_id HAVING COUNT(*) > 1) AS doubled",
    )
    .fetch_one(&mut db)
    .await
    .expect("families");
    n
}

pub(super) async fn integrity_check(database: &str) -> String {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(database)
        .await
        .expect("open the SQLite file");
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .expect("integrity_check");
    verdict
}

pub(super) async fn usernames(database: &str) -> std::collections::HashSet<String> {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(database)
        .await
        .expect("open the SQLite file");
    let rows: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(&mut db)
        .await
        .expect("users");
    rows.into_iter().map(|(u,)| u).collect()
}

/// The welcome mails in the shared outbox, per recipient address.
pub(super) fn welcomes_by_recipient(outbox: &std::path::Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let Ok(folders) = std::fs::read_dir(outbox.parent().expect("outbox's folder")) else {
        return counts;
    };
    let outboxes = folders
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("outbox"));
    for mail in outboxes.flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().filter_map(Result::ok)) {
        let text = std::fs::read_to_string(mail.path()).unwrap_or_default();
        if !text.contains("Subject: Welcome") {
            continue;
        }
        if let Some(to) = text.lines().find_map(|l| l.strip_prefix("To: ")) {
            *counts.entry(to.trim().to_lowercase()).or_default() += 1;
        }
    }
    counts
}

pub(super) async fn unfinished_jobs(database: &str) -> i64 {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
        .fetch_one(&mut db)
        .await
        .expect("jobs");
    n
}

/// Per algorithm, the shortest time between two keys' creation, and how many keys there are.
pub(super) async fn key_spacing(database: &str) -> BTreeMap<String, (usize, i64)> {
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(database).await.expect("connect");
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT alg, created_at FROM signing_keys ORDER BY alg, created_at")
        .fetch_all(&mut db)
        .await
        .expect("keys");
    let mut by_alg: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (alg, created) in rows {
        by_alg.entry(alg).or_default().push(created);
    }
    by_alg
        .into_iter()
        .map(|(alg, times)| {
            let closest = times.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(i64::MAX);
            (alg, (times.len(), closest))
        })
        .collect()
}
