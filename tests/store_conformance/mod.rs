//! Storage conformance: every test runs against every backend `each_backend` offers (a fresh
//! SQLite file always, a fresh PostgreSQL database when TESSERA_TEST_POSTGRES_URL is set) and
//! checks what the doc comments of the storage traits promise, bad paths included.
//! Each test owns its databases, so tests never depend on each other or on their order.
//!
//! Every trait method and the tests that check it (`coverage.rs` fails when a method of
//! `store.rs`, `factors.rs`, `identity.rs`, `jobs.rs` (tessera-core) or `storage.rs` (tessera-oidc) is
//! missing here, is never called by the suite, or names a test that does not exist):
//!
//! | trait | method | tests |
//! |---|---|---|
//! | UserStore | `create_user` | a_created_account_reads_back_field_for_field, a_username_taken_in_another_case_is_a_conflict_and_writes_nothing |
//! | UserStore | `create_user_with` | create_user_with_writes_its_effects_only_with_the_account |
//! | UserStore | `user_by_id` | a_created_account_reads_back_field_for_field |
//! | UserStore | `user_by_username` | lookups_fold_case_including_non_ascii |
//! | UserStore | `user_by_login` | lookups_fold_case_including_non_ascii, a_username_may_not_be_another_accounts_email_or_the_reverse |
//! | UserStore | `list_users` | list_users_orders_by_username_ignoring_case |
//! | UserStore | `update_profile` | update_profile_changes_the_names_and_nothing_else |
//! | UserStore | `update_profile_with` | account_changes_write_their_effects_only_when_they_happen |
//! | UserStore | `request_email_change` | an_email_change_waits_for_its_confirmation_and_the_old_address_stays, an_email_change_refuses_a_proven_address_or_a_username_and_changes_nothing |
//! | UserStore | `cancel_email_change` | cancel_email_change_drops_the_pending_address_and_its_link |
//! | UserStore | `set_password` | set_password_ends_other_sessions_and_reset_links_of_that_account_only |
//! | UserStore | `set_password_with` | account_changes_write_their_effects_only_when_they_happen |
//! | UserStore | `upgrade_password_hash` | upgrade_password_hash_replaces_only_the_expected_hash |
//! | UserStore | `record_login` | record_login_stores_the_time_to_the_second |
//! | UserStore | `delete_user_with` | delete_user_with_removes_the_account_and_its_rows_only_and_writes_its_effects |
//! | UserStore | `set_active_with` | disabling_an_account_ends_its_sessions_and_tokens_and_enabling_keeps_them_ended |
//! | UserStore | `set_flags_with` | set_flags_with_makes_every_superuser_staff_and_refuses_an_unknown_account |
//! | UserStore | `revoke_tokens_with` | revoke_tokens_with_revokes_one_accounts_tokens_and_keeps_its_sessions |
//! | UserStore | `import_users` | import_creates_accounts_groups_and_memberships, a_failed_import_names_the_account_and_writes_nothing |
//! | GroupStore | `create_group` | create_group_refuses_a_duplicate_name |
//! | GroupStore | `add_to_group` | add_to_group_needs_the_group_and_may_be_repeated, concurrent_additions_to_one_group_all_succeed |
//! | GroupStore | `remove_from_group` | remove_from_group_says_whether_the_person_was_a_member |
//! | GroupStore | `list_groups` | list_groups_sorts_groups_and_members |
//! | GroupStore | `groups_of` | list_groups_sorts_groups_and_members |
//! | SessionStore | `create_session` | a_session_round_trips_and_can_be_touched_and_deleted, a_session_needs_an_existing_account, a_session_keeps_the_device_and_address_it_started_from |
//! | SessionStore | `session` | a_session_round_trips_and_can_be_touched_and_deleted |
//! | SessionStore | `touch_session` | a_session_round_trips_and_can_be_touched_and_deleted |
//! | SessionStore | `delete_session` | a_session_round_trips_and_can_be_touched_and_deleted |
//! | SessionStore | `sessions_of` | sessions_of_lists_newest_first_and_end_sessions_with_ends_one_accounts_only |
//! | SessionStore | `end_sessions_with` | sessions_of_lists_newest_first_and_end_sessions_with_ends_one_accounts_only |
//! | SessionStore | `delete_stale_sessions` | delete_stale_sessions_removes_expired_and_idle_sessions_only |
//! | SessionStore | `end_other_sessions` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session, end_other_sessions_with_keeps_one_session_and_writes_its_effects_only_when_some_ended |
//! | SessionStore | `end_other_sessions_with` | end_other_sessions_with_keeps_one_session_and_writes_its_effects_only_when_some_ended |
//! | SessionStore | `end_session_with` | end_session_with_ends_only_that_accounts_session_and_writes_its_effects_only_then |
//! | SecondFactorStore | `factor_summary` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once, a_recovery_code_is_used_once_and_a_new_set_replaces_the_old |
//! | SecondFactorStore | `totp_factor` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once |
//! | SecondFactorStore | `begin_totp` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once |
//! | SecondFactorStore | `confirm_totp_with` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once |
//! | SecondFactorStore | `accept_totp_step` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once |
//! | SecondFactorStore | `remove_totp_with` | an_authenticator_app_is_confirmed_once_and_each_time_step_is_accepted_once |
//! | SecondFactorStore | `replace_recovery_codes_with` | a_recovery_code_is_used_once_and_a_new_set_replaces_the_old |
//! | SecondFactorStore | `use_recovery_code_with` | a_recovery_code_is_used_once_and_a_new_set_replaces_the_old |
//! | SecondFactorStore | `passkeys_of` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `passkey` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `add_passkey_with` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `passkey_used` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `remove_passkey_with` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `reset_factors_with` | a_passkey_belongs_to_one_account_and_reset_removes_every_factor_and_session |
//! | SecondFactorStore | `create_ceremony` | a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up |
//! | SecondFactorStore | `ceremony` | a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up |
//! | SecondFactorStore | `take_ceremony` | a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up |
//! | SecondFactorStore | `delete_stale_ceremonies` | a_ceremony_is_read_until_taken_once_and_expired_ones_are_cleaned_up |
//! | EmailTokenStore | `create_email_token` | email_token_owner_respects_purpose_and_expiry_without_using_the_link |
//! | EmailTokenStore | `email_token_owner` | email_token_owner_respects_purpose_and_expiry_without_using_the_link |
//! | EmailTokenStore | `confirm_email` | confirm_email_is_single_use_and_marks_the_address_verified, confirm_email_refuses_an_expired_link |
//! | EmailTokenStore | `confirm_email_with` | a_confirmation_removes_sign_ins_connected_before_any_proof_unless_the_holder_proves, mailed_links_write_their_effects_only_when_they_work |
//! | EmailTokenStore | `reset_password` | reset_password_is_single_use_and_ends_every_session, a_password_reset_revokes_every_app_token_of_the_account |
//! | EmailTokenStore | `reset_password_with` | mailed_links_write_their_effects_only_when_they_work |
//! | EmailTokenStore | `undo_email_change_with` | an_undo_link_cancels_a_pending_change_or_reverts_a_confirmed_one, an_undo_link_that_is_dead_or_finds_the_old_address_taken_changes_nothing |
//! | AuditStore | `record_event` | recent_events_come_newest_first_and_round_trip |
//! | AuditStore | `recent_events` | recent_events_come_newest_first_and_round_trip |
//! | GroupStore | `delete_group` | delete_group_and_rename_group_keep_the_accounts_and_refuse_what_does_not_fit |
//! | GroupStore | `rename_group` | delete_group_and_rename_group_keep_the_accounts_and_refuse_what_does_not_fit |
//! | EmailTokenStore | `vouch_for_address_with` | vouch_for_address_with_proves_it_or_refuses_one_another_account_proved |
//! | AuditStore | `events` | events_keep_one_accounts_or_those_since_a_time_newest_first |
//! | IdentityStore | `unlink_identity_with` | unlink_identity_with_writes_its_effects_only_when_a_link_went |
//! | Health | `ping` | ping_reaches_the_database |
//! | Health | `pool_status` | pool_status_counts_open_and_idle_connections_within_the_maximum |
//! | Health | `schema_mismatch` | schema_mismatch_is_none_when_migrated_and_names_a_migration_from_a_newer_release |
//! | IdentityStore | `identity` | a_linked_identity_reads_back_field_for_field |
//! | IdentityStore | `identities_of` | identities_of_lists_an_accounts_identities_by_provider_then_link_time |
//! | IdentityStore | `link_identity` | an_identity_links_to_one_account_only_and_a_refused_link_writes_nothing, identity_links_write_their_effects_only_when_linked |
//! | IdentityStore | `create_user_with_identity` | create_user_with_identity_creates_both_or_neither, identity_links_write_their_effects_only_when_linked |
//! | IdentityStore | `update_identity` | update_identity_refreshes_what_the_upstream_says_and_keeps_the_link |
//! | IdentityStore | `fill_profile` | fill_profile_and_fill_attributes_never_overwrite |
//! | IdentityStore | `fill_attributes` | fill_profile_and_fill_attributes_never_overwrite |
//! | IdentityStore | `unlink_identity` | unlink_identity_removes_only_that_accounts_identity |
//! | IdentityStore | `set_contacts` | people_you_may_know_are_active_accounts_linked_to_friends_on_the_same_provider |
//! | IdentityStore | `people_you_may_know` | people_you_may_know_are_active_accounts_linked_to_friends_on_the_same_provider |
//! | IdentityStore | `activate_user` | activate_user_activates_only_an_account_waiting_for_it |
//! | IdentityStore | `create_upstream_login` | an_upstream_login_is_taken_once_while_it_is_live |
//! | IdentityStore | `take_upstream_login` | an_upstream_login_is_taken_once_while_it_is_live |
//! | KeyStore | `published_keys` | published_keys_round_trip_oldest_first_per_algorithm_until_they_expire |
//! | KeyStore | `rotate_key` | concurrent_rotations_elect_exactly_one, a_rotation_that_is_not_due_changes_nothing |
//! | PendingStore | `create_pending` | a_pending_request_round_trips_until_it_expires |
//! | PendingStore | `pending` | a_pending_request_round_trips_until_it_expires |
//! | PendingStore | `mark_consented` | mark_consented_and_delete_pending_touch_only_their_request |
//! | PendingStore | `delete_pending` | mark_consented_and_delete_pending_touch_only_their_request |
//! | CodeStore | `issue_code` | one_pending_request_issues_one_code |
//! | CodeStore | `use_code` | use_code_gives_the_code_once_then_reports_the_replay, an_expired_or_withdrawn_code_is_unknown_at_its_first_use |
//! | TokenStore | `issue_tokens` | issued_tokens_read_back_and_a_replayed_code_revokes_them, issue_tokens_writes_nothing_once_its_guard_is_revoked |
//! | TokenStore | `rotate_refresh_token` | a_refresh_token_rotates_once_and_its_reuse_revokes_the_family, a_revoked_or_expired_refresh_token_does_not_rotate, a_rotation_whose_successor_cannot_be_written_changes_nothing |
//! | TokenStore | `refresh_token` | issued_tokens_read_back_and_a_replayed_code_revokes_them |
//! | TokenStore | `revoke_family` | revoke_family_ends_its_tokens_only |
//! | TokenStore | `record_access_token` | an_access_token_record_round_trips_and_can_be_revoked_alone |
//! | TokenStore | `access_token` | an_access_token_record_round_trips_and_can_be_revoked_alone |
//! | TokenStore | `revoke_access_token` | an_access_token_record_round_trips_and_can_be_revoked_alone |
//! | TokenStore | `clients_of_session` | clients_of_session_names_each_app_once_from_access_or_refresh_tokens |
//! | GrantStore | `grant` | a_grant_round_trips_and_saving_it_again_replaces_it |
//! | GrantStore | `save_grant` | a_grant_round_trips_and_saving_it_again_replaces_it |
//! | GrantStore | `grants_of` | a_grant_round_trips_and_saving_it_again_replaces_it |
//! | GrantStore | `revoke_grant` | revoke_grant_forgets_the_consent_and_ends_that_apps_tokens_for_that_person_only |
//! | TokenStore | `purge_expired` | purge_expired_deletes_what_has_expired_and_keeps_what_is_live |
//! | JobStore | `enqueue` | enqueue_is_idempotent_by_key_and_the_job_reads_back |
//! | JobStore | `claim` | claim_leases_due_jobs_up_to_the_limit_and_never_twice_while_leased, an_expired_lease_passes_to_another_worker_and_only_the_holder_may_finish |
//! | JobStore | `complete` | an_expired_lease_passes_to_another_worker_and_only_the_holder_may_finish |
//! | JobStore | `fail` | fail_requeues_at_the_retry_time_or_buries_the_job_with_its_reason |
//! | JobStore | `jobs` | jobs_filters_by_state_within_the_limit_and_job_counts_counts_each_state |
//! | JobStore | `retry_job` | retry_job_revives_dead_or_queued_jobs_only |
//! | JobStore | `purge_jobs` | purge_jobs_deletes_finished_jobs_before_the_cut_off_and_dead_ones_only_when_asked |
//! | JobStore | `job_counts` | jobs_filters_by_state_within_the_limit_and_job_counts_counts_each_state |
//! | ThrottleStore | `record_failure` | record_failure_counts_and_blocks_as_the_policy_says, a_new_window_starts_only_when_the_old_one_is_over_and_not_blocked, concurrent_failures_each_count_once |
//! | ThrottleStore | `throttle_state` | record_failure_counts_and_blocks_as_the_policy_says |
//! | ThrottleStore | `clear_throttle` | clear_throttle_forgets_one_key_only |
//! | ThrottleStore | `clear_account_throttles` | clear_account_throttles_forgets_the_accounts_counts_only |
//! | ThrottleStore | `blocked_until` | blocks_start_at_the_next_whole_second_and_blocked_until_reads_many_keys_at_once |
//! | ThrottleStore | `purge_throttles` | purge_throttles_removes_only_finished_unblocked_counts |

mod audit_health;
mod concurrency;
mod coverage;
mod effects;
mod email_tokens;
mod factors;
mod groups;
mod identities;
mod import;
mod job_queue;
mod oidc_fixtures;
mod oidc_grants;
mod oidc_requests;
mod oidc_tokens;
mod proofs;
mod sessions;
mod throttle;
mod users;

use std::fmt::Debug;

use tessera_core::store::{
    EmailToken, EmailTokenPurpose, EmailTokenStore, ImportedAccount, Session, SessionStore, StoreError, StoreResult,
    UserStore,
};
use tessera_core::{Email, NewUser, ProfileUpdate, User, UserId, Username};
use tessera_store::SqlStore;
use time::{Duration, OffsetDateTime};

use crate::support::db::{each_backend, open};

/// A plain, active account joined now; panics on an invalid username or address.
fn new_user(username: &str, email: Option<&str>) -> NewUser {
    NewUser::new(
        Username::parse(username).expect("valid username"),
        email.map(|e| Email::parse(e).expect("valid email")),
    )
}

/// Creates a plain account and returns it as stored.
async fn create(store: &SqlStore, username: &str, email: Option<&str>) -> User {
    store
        .create_user(&new_user(username, email))
        .await
        .expect("create_user")
}

/// Creates an account whose address is already verified and whose password hash is `hash`.
async fn create_verified(store: &SqlStore, username: &str, email: &str, hash: &str) -> User {
    let new = NewUser {
        email_verified: true,
        password_hash: Some(hash.to_owned()),
        ..new_user(username, Some(email))
    };
    store.create_user(&new).await.expect("create_user")
}

/// The account as stored now; panics if it is gone.
async fn reload(store: &SqlStore, id: UserId) -> User {
    store
        .user_by_id(id)
        .await
        .expect("user_by_id")
        .expect("the account still exists")
}

/// Whom `user_by_username` finds for `username`.
async fn found_by_username(store: &SqlStore, username: &str) -> Option<UserId> {
    let user = store.user_by_username(username).await.expect("user_by_username");
    user.map(|u| u.id)
}

/// Whom `user_by_login` finds for `login`.
async fn found_by_login(store: &SqlStore, login: &str) -> Option<UserId> {
    let user = store.user_by_login(login).await.expect("user_by_login");
    user.map(|u| u.id)
}

/// The stored password hash of an account.
async fn password_of(store: &SqlStore, id: UserId) -> Option<String> {
    reload(store, id).await.password_hash
}

/// Usernames in the order `list_users` gives them.
async fn usernames(store: &SqlStore) -> Vec<String> {
    store
        .list_users()
        .await
        .expect("list_users")
        .into_iter()
        .map(|u| u.username)
        .collect()
}

fn profile(first_name: &str, last_name: &str) -> ProfileUpdate {
    ProfileUpdate {
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
    }
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("valid email")
}

/// Stores a mail link for `user` sent to `address` (any address: a pending one, an old one).
async fn issue_to(
    store: &SqlStore,
    digest: &str,
    user: &User,
    address: &str,
    purpose: EmailTokenPurpose,
    expires_at: OffsetDateTime,
) {
    let token = EmailToken {
        digest: digest.to_owned(),
        user_id: user.id,
        purpose,
        email: address.to_owned(),
        expires_at,
    };
    store.create_email_token(&token).await.expect("create_email_token");
}

/// The account a proof proved, if the link worked.
fn proven(proof: tessera_core::store::Proof) -> Option<User> {
    match proof {
        tessera_core::store::Proof::Proven { user, .. } => Some(*user),
        _ => None,
    }
}

fn imported(username: &str, email: Option<&str>, groups: &[&str]) -> ImportedAccount {
    ImportedAccount {
        user: new_user(username, email),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

/// `OffsetDateTime` truncated to what the store keeps (whole seconds).
fn to_second(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).expect("0 is a valid nanosecond")
}

/// A session last seen at `last_seen_at` that ends at `expires_at`.
fn session(digest: &str, user: UserId, last_seen_at: OffsetDateTime, expires_at: OffsetDateTime) -> Session {
    Session {
        id_digest: digest.to_owned(),
        user_id: user,
        created_at: last_seen_at - Duration::minutes(5),
        last_seen_at,
        expires_at,
        auth_time: last_seen_at - Duration::minutes(5),
        amr: "pwd".to_owned(),
        user_agent: None,
        ip: None,
    }
}

/// Stores a session seen now that ends in a day.
async fn sign_in(store: &SqlStore, digest: &str, user: UserId) {
    let now = OffsetDateTime::now_utc();
    store
        .create_session(&session(digest, user, now, now + Duration::days(1)))
        .await
        .expect("create_session");
}

async fn has_session(store: &SqlStore, digest: &str) -> bool {
    store.session(digest).await.expect("session").is_some()
}

/// Stores a mail link for `user`'s current address that ends at `expires_at`.
async fn issue(store: &SqlStore, digest: &str, user: &User, purpose: EmailTokenPurpose, expires_at: OffsetDateTime) {
    let address = user.email.clone().expect("the account has an address");
    issue_to(store, digest, user, &address, purpose, expires_at).await;
}

/// Whose live link of `purpose` `digest` is right now.
async fn owner(store: &SqlStore, digest: &str, purpose: EmailTokenPurpose) -> Option<UserId> {
    store
        .email_token_owner(digest, purpose, OffsetDateTime::now_utc())
        .await
        .expect("email_token_owner")
}

fn expect_conflict<T: Debug>(result: StoreResult<T>, field: &str, what: &str) {
    match result {
        Err(StoreError::Conflict { field: got }) => {
            assert_eq!(got, field, "{what}: conflict names the wrong field")
        }
        other => panic!("{what}: expected Conflict {{ field: {field:?} }}, got {other:?}"),
    }
}

fn expect_not_found<T: Debug>(result: StoreResult<T>, what: &str) {
    assert!(
        matches!(result, Err(StoreError::NotFound(_))),
        "{what}: expected NotFound, got {result:?}"
    );
}
