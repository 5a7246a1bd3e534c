use std::collections::HashMap;

use tessera_core::secret::ExposeSecret;

use super::*;

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // base64 of 32 ASCII bytes

fn env() -> HashMap<String, String> {
    HashMap::from([
        ("KEY".to_string(), KEY.to_string()),
        ("ZD".to_string(), "zd-secret".to_string()),
    ])
}

fn minimal(extra: &str) -> String {
    format!(
        "issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://data/t.db\nsecrets:\n  master_key: ${{KEY}}\n{extra}"
    )
}

#[test]
fn minimal_config_gets_defaults() {
    let c = parse(&minimal(""), &env()).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.registration, RegistrationMode::Open);
    assert_eq!(c.email_confirmation, EmailConfirmation::Required);
    assert_eq!(c.argon2, Argon2Cost::default());
    assert!(format!("{:?}", c.master_key).contains("***"));
    assert!(!c.secure_cookies());
}

#[test]
fn unknown_key_is_refused_with_its_location() {
    let problems = parse(&minimal("registraton:\n  mode: open\n"), &env()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 6);
    assert!(problems[0].message.contains("registraton"), "{:?}", problems[0]);
}

#[test]
fn every_value_problem_is_reported_at_once() {
    let text = "issuer: not a url\nlisten: nowhere\ndatabase:\n  url: mysql://x\nsecrets:\n  master_key: ${MISSING_KEY}\n\
                registration:\n  mode: sometimes\nsessions:\n  idle_timeout: 5 minutes\n";
    let problems = parse(text, &env()).unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems.len(), 6, "{messages:#?}");
    assert!(messages[0].starts_with("issuer:"));
    assert_eq!(problems[0].line, 1);
    assert!(messages.iter().any(|m| m.contains("MISSING_KEY is not set")));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\"sometimes\" is not one of: open, closed"))
    );
    assert!(messages.iter().any(|m| m.contains("like 90s, 15m")));
    assert!(messages.iter().any(|m| m.contains("sqlite://")));
    assert!(messages.iter().any(|m| m.contains("127.0.0.1:8080")));
}

#[test]
fn bad_master_key_says_how_to_make_one_without_echoing_it() {
    let text = minimal("").replace("${KEY}", "c2hvcnQ=");
    let problems = parse(&text, &env()).unwrap_err();
    assert!(problems[0].message.contains("32 bytes"));
    assert!(problems[0].message.contains("openssl rand"));
    assert!(!problems[0].message.contains("c2hvcnQ="));
}

#[test]
fn remote_auth_targets_validate() {
    let ok = minimal(
        "remote_auth:\n  - id: zendesk\n    kind: zendesk_md5\n    allow_legacy_md5: true\n    url: https://example.zendesk.com\n    secret: ${ZD}\n    allow: groups\n    groups: [agents]\n",
    );
    let c = parse(&ok, &env()).unwrap();
    assert_eq!(c.remote_auth[0].access, AccessRule::Groups(vec!["agents".into()]));
    assert!(!format!("{:?}", c.remote_auth[0]).contains("zd-secret"));

    let bad = minimal(
        "remote_auth:\n  - id: zendesk\n    kind: zendesk\n    url: ftp://x\n    secret: ${NOPE}\n    allow: groups\n",
    );
    let problems = parse(&bad, &env()).unwrap_err();
    let all = problems
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("remote_auth.kind"), "{all}");
    assert!(all.contains("remote_auth.url"), "{all}");
    assert!(all.contains("NOPE is not set"), "{all}");
    assert!(all.contains("needs a list of group names"), "{all}");
}

#[test]
fn smtp_needs_a_host_and_paired_credentials() {
    let text = minimal("email:\n  transport:\n    kind: smtp\n    username: me\n");
    let problems = parse(&text, &env()).unwrap_err();
    let all = problems
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("host is required"), "{all}");
    assert!(all.contains("both username and password"), "{all}");
}

#[test]
fn issuer_durations_levels_and_helpdesk_urls_are_checked() {
    let problems = parse(
        &minimal("").replace("http://127.0.0.1:8080", "https://id.example.com/sso/"),
        &env(),
    )
    .unwrap_err();
    assert!(problems[0].message.contains("without a path"), "{problems:?}");
    let problems = parse(
        &minimal("sessions:\n  idle_timeout: 0s\nlogging:\n  level: 'info,=['\n"),
        &env(),
    )
    .unwrap_err();
    let all = problems
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("longer than 0s"), "{all}");
    assert!(all.contains("not a log filter"), "{all}");
    let zd =
        minimal("remote_auth:\n  - { id: z, kind: zendesk_jwt, url: 'https://u:p@x.zendesk.com/?a=1', secret: s }\n");
    let problems = parse(&zd, &env()).unwrap_err();
    assert!(problems[0].message.contains("base URL only"), "{problems:?}");
    let c = parse(
        &minimal("").replace("http://127.0.0.1:8080", "https://id.example.com"),
        &env(),
    )
    .unwrap();
    assert_eq!(c.issuer_str(), "https://id.example.com");
}

#[test]
fn errors_render_as_file_line_col() {
    let errors = ConfigErrors {
        file: "c.yaml".into(),
        problems: vec![Problem {
            line: 3,
            column: 7,
            message: "bad".into(),
        }],
    };
    assert_eq!(errors.to_string(), "c.yaml:3:7: bad");
}

#[cfg(feature = "sandbox")]
#[test]
fn a_sandbox_section_starts_the_sandbox_in_a_build_with_it() {
    let dev = minimal("sandbox:\n  listen: 127.0.0.1:8091\n");
    assert_eq!(
        parse(&dev, &env()).unwrap().sandbox,
        Some("127.0.0.1:8091".parse().unwrap())
    );
}

#[cfg(not(feature = "sandbox"))]
#[test]
fn a_sandbox_section_is_refused_by_a_build_without_it() {
    let dev = minimal("sandbox:\n  listen: 127.0.0.1:8091\n");
    let problems = parse(&dev, &env()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].line, problems[0].column), (7, 3), "at the section");
    assert!(
        problems[0]
            .message
            .starts_with("sandbox: this build of tessera has no sandbox")
    );
    assert!(
        problems[0].message.contains("--features sandbox"),
        "says how to get one"
    );
}

#[test]
fn upstreams_pipeline_sandbox_and_post_on_join_are_checked() {
    let fb = "upstreams:\n  - { id: fb, kind: facebook, client_id: a, client_secret: '${ZD}' }\n";
    let c = parse(&minimal(fb), &env()).unwrap();
    assert_eq!(c.upstreams[0].label, "Fb");
    assert!(
        !format!("{:?}", c.upstreams).contains("zd-secret"),
        "secrets stay out of Debug"
    );

    let wrong_order = minimal(&format!("{fb}pipeline: [create_user, social_user]\n"));
    let problems = parse(&wrong_order, &env()).unwrap_err();
    assert!(
        problems[0].message.contains("social_user must come before create_user"),
        "{problems:?}"
    );

    let open_sandbox = minimal("sandbox:\n  listen: 0.0.0.0:8091\n");
    let problems = parse(&open_sandbox, &env()).unwrap_err();
    // A build without the sandbox refuses the section whatever it says (tested above).
    #[cfg(feature = "sandbox")]
    assert!(problems[0].message.contains("loopback"));
    #[cfg(not(feature = "sandbox"))]
    assert!(problems[0].message.contains("--features sandbox"), "{problems:?}");

    let post = minimal(&format!("{fb}actions:\n  post_on_join: {{ upstream: fb, text: hi }}\n"));
    let problems = parse(&post, &env()).unwrap_err();
    assert!(
        problems[0].message.contains("only twitter and x_oauth2"),
        "{problems:?}"
    );
    assert_eq!(problems[0].line, 9, "reported at the key, not the top of the file");

    let hybrid = minimal("registration:\n  mode: hybrid\n");
    assert!(
        parse(&hybrid, &env()).unwrap_err()[0]
            .message
            .contains("hybrid needs at least one upstream")
    );

    let unknown = minimal("upstreams:\n  - { id: x, kind: myspace, client_id: a }\n");
    assert!(parse(&unknown, &env()).unwrap_err()[0].message.contains("upstreams"));
}

#[test]
fn metrics_listen_defaults_to_loopback_and_can_be_moved_or_turned_off() {
    let default = parse(&minimal(""), &env()).unwrap();
    assert_eq!(default.metrics_listen, Some("127.0.0.1:9464".parse().unwrap()));
    let moved = parse(&minimal("metrics:\n  listen: 10.0.0.5:9100\n"), &env()).unwrap();
    assert_eq!(moved.metrics_listen, Some("10.0.0.5:9100".parse().unwrap()));
    for off in ["off", "none", "'off'"] {
        let c = parse(&minimal(&format!("metrics:\n  listen: {off}\n")), &env()).unwrap();
        assert_eq!(c.metrics_listen, None, "listen: {off}");
    }
    let problems = parse(&minimal("metrics:\n  listen: 9464\n"), &env()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 7);
    assert!(
        problems[0].message.contains("like 127.0.0.1:9464; write off"),
        "{problems:?}"
    );
}

#[test]
fn trusted_proxies_take_addresses_and_blocks_and_name_a_wrong_entry() {
    use crate::client_address::ProxyHeaders;
    let none = parse(&minimal(""), &env()).unwrap();
    assert!(none.proxies.networks.is_empty(), "no proxy is trusted by default");
    let c = parse(
        &minimal("server:\n  trusted_proxies: [127.0.0.1, 10.1.2.3/8, '2001:db8::/32']\n  proxy_headers: forwarded\n"),
        &env(),
    )
    .unwrap();
    let shown: Vec<String> = c.proxies.networks.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32"]);
    assert_eq!(c.proxies.headers, ProxyHeaders::Forwarded);
    let problems = parse(
        &minimal("server:\n  trusted_proxies: [10.0.0.0/8, 10.0.0/8]\n  proxy_headers: x-real-ip\n"),
        &env(),
    )
    .unwrap_err();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("server.trusted_proxies[1]: \"10.0.0/8\" is not an IP address or CIDR block"));
    assert_eq!(problems[0].line, 7);
    assert!(
        messages[1].contains("\"x-real-ip\" is not one of: x-forwarded, forwarded"),
        "{messages:?}"
    );
}

#[test]
fn webhook_and_smtp_secrets_never_show_in_debug() {
    let text = minimal(
        "email:\n  transport:\n    kind: smtp\n    host: mail.example\n    username: me\n    password: smtp-hunter2\n\
         webhooks:\n  - url: 'https://hooks.example/in'\n    events: [user.login]\n    secret: hook-secret-0123456789\n",
    );
    let c = parse(&text, &env()).unwrap();
    let shown = format!("{c:?}");
    for secret in ["smtp-hunter2", "hook-secret-0123456789", KEY] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert_eq!(c.webhooks[0].secret.expose_secret(), "hook-secret-0123456789");
    let MailTransportConfig::Smtp(smtp) = &c.mail_transport else {
        panic!("smtp")
    };
    assert_eq!(smtp.password.as_ref().map(|p| p.expose_secret()), Some("smtp-hunter2"));
}

/// The one problem `parse` finds in `text`, as `LINE:COL: message`.
fn only_problem(text: &str) -> String {
    let problems = parse(text, &env()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    format!("{}:{}: {}", problems[0].line, problems[0].column, problems[0].message)
}

fn all_messages(text: &str) -> Vec<String> {
    match parse(text, &env()) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.into_iter().map(|p| p.message).collect(),
    }
}

const SMTP: &str = "email:\n  transport:\n    kind: smtp\n    host: mail.example\n";

#[test]
fn a_wrong_type_names_the_key_path_what_was_expected_and_what_was_found() {
    assert_eq!(
        only_problem(&minimal(&format!("{SMTP}    port: seventy\n"))),
        "10:11: email.transport.port: expected a whole number, got \"seventy\""
    );
    assert_eq!(
        only_problem(&minimal(&format!("{SMTP}    port: 99999\n"))),
        "10:11: email.transport.port: expected a whole number from 0 to 65535, got 99999"
    );
    assert_eq!(
        only_problem(&minimal(&format!("{SMTP}    port: -1\n"))),
        "10:11: email.transport.port: expected a whole number from 0 to 65535, got -1"
    );
    assert_eq!(
        only_problem(&minimal(&format!("{SMTP}    port: 1e400\n"))),
        "10:11: email.transport.port: expected a whole number, got 1e400"
    );
    assert_eq!(
        only_problem(&minimal("jobs:\n  workers: -3\n")),
        "7:12: jobs.workers: expected a whole number, 0 or more, got -3"
    );
    assert_eq!(
        only_problem(&minimal("actions:\n  welcome_email: yes please\n")),
        "7:18: actions.welcome_email: expected true or false, got \"yes please\""
    );
    assert_eq!(
        only_problem(&minimal("actions:\n  welcome_email: 7\n")),
        "7:18: actions.welcome_email: expected true or false, got 7"
    );
    assert_eq!(
        only_problem(&minimal("logging:\n  level:\n    a: b\n")),
        "8:5: logging.level: expected text, got a mapping"
    );
    assert_eq!(
        only_problem(&minimal("webhooks: https://hooks.example\n")),
        "6:11: webhooks: expected a list, got \"https://hooks.example\""
    );
    assert_eq!(
        only_problem(&minimal("email: smtp\n")),
        "6:8: email: expected a mapping of keys, got \"smtp\""
    );
    assert_eq!(
        only_problem("- issuer\n"),
        "1:1: the file: expected a mapping of keys, got a list"
    );
    assert_eq!(
        only_problem(&minimal("").replace("issuer: http://127.0.0.1:8080", "issuer:")),
        "1:7: issuer: expected text, got nothing"
    );
}

#[test]
fn a_wrong_type_in_a_list_names_the_item() {
    let client = "clients:\n  - id: app\n    redirect_uris: ['https://app.example/cb', {a: 1}]\n";
    assert_eq!(
        only_problem(&minimal(client)),
        "8:47: clients[0].redirect_uris[1]: expected text, got a mapping"
    );
    let second = "clients:\n  - id: a\n    redirect_uris: ['https://a.example/cb']\n  - id: b\n    redirect_uris:\n      - https://b.example/cb\n      - [nested]\n";
    assert_eq!(
        only_problem(&minimal(second)),
        "12:9: clients[1].redirect_uris[1]: expected text, got a list"
    );
}

#[test]
fn text_where_a_secret_belongs_is_never_shown() {
    let text = minimal("").replace("secrets:\n  master_key: ${KEY}\n", &format!("secrets: {KEY}\n"));
    let message = only_problem(&text);
    assert_eq!(
        message,
        "4:10: secrets: expected a mapping of keys, got text (not shown: it may be a secret)"
    );
    let smtp = minimal(&format!("{SMTP}    password: [hunter2]\n"));
    assert_eq!(
        only_problem(&smtp),
        "10:15: email.transport.password: expected text, got a list"
    );
}

#[test]
fn a_missing_key_is_named_with_its_section() {
    assert_eq!(
        only_problem("issuer: http://127.0.0.1:8080\ndatabase: {}\nsecrets:\n  master_key: x\n"),
        "2:11: database.url is required"
    );
    assert!(
        only_problem("database:\n  url: sqlite://x\nsecrets:\n  master_key: x\n").ends_with(": issuer is required")
    );
    assert_eq!(
        only_problem(&minimal("clients:\n  - id: app\n")),
        "7:5: clients[0].redirect_uris is required"
    );
}

#[test]
fn an_unknown_key_is_named_with_its_path_and_a_likely_spelling() {
    assert_eq!(
        only_problem(&minimal("logging:\n  colour: true\n")),
        "7:3: logging.colour: unknown key; logging takes format, level"
    );
    let top = only_problem(&minimal("registraton:\n  mode: open\n"));
    assert!(
        top.starts_with("6:1: registraton: unknown key (did you mean registration?); the file takes issuer, listen,"),
        "{top}"
    );
    assert_eq!(
        only_problem(&minimal(
            "clients:\n  - id: app\n    redirect_uri: ['https://app.example/cb']\n"
        )),
        "8:5: clients[0].redirect_uri: unknown key (did you mean redirect_uris?); clients[0] takes id, secret, \
         secret_hash, name, redirect_uris, post_logout_redirect_uris, grant_types, scopes, first_party, \
         require_pkce, id_token_signed_response_alg, access_token_format, backchannel_logout_uri, \
         refresh_without_offline_access, require_mfa, claims"
    );
}

#[test]
fn mfa_policy_groups_and_acr_are_read_and_bad_values_named() {
    let config = parse(
        &minimal("security:\n  mfa: optional\n  mfa_required_groups: [admins]\n  acr:\n    multi_factor: gold\n"),
        &env(),
    )
    .unwrap();
    assert!(config.mfa.required_for(&["admins".to_owned()]));
    assert!(!config.mfa.required_for(&["staff".to_owned()]));
    assert_eq!(config.mfa.acr.multi_factor, "gold");
    assert_eq!(
        only_problem(&minimal("security:\n  mfa: sometimes\n")),
        "7:8: security.mfa: \"sometimes\" is not one of: off, optional, required"
    );
    assert!(
        only_problem(&minimal(
            "security:\n  acr:\n    single_factor: x\n    multi_factor: x\n"
        ))
        .contains("single_factor and multi_factor must differ")
    );
    let upstream = "upstreams:\n  - { id: fb, kind: facebook, client_id: a, client_secret: b, login_is_mfa: maybe }\n";
    let problem = only_problem(&minimal(upstream));
    assert!(
        problem.ends_with("upstreams.login_is_mfa: expected true or false, got \"maybe\""),
        "{problem}"
    );
}

#[test]
fn an_unknown_access_token_format_names_the_two_there_are() {
    assert_eq!(
        only_problem(&minimal(
            "clients:\n  - id: app\n    redirect_uris: ['https://app.example/cb']\n    access_token_format: reference\n"
        )),
        "9:26: clients.access_token_format: choose jwt (signed, RFC 9068) or opaque (a reference checked by \
         introspection)"
    );
}

#[test]
fn every_key_written_twice_is_reported_with_both_lines() {
    let text = "issuer: http://127.0.0.1:8080\ndatabase:\n  url: sqlite://data/t.db\nsecrets:\n  master_key: ${KEY}\n\
                registration:\n  mode: open\n  mode: closed\nissuer: http://127.0.0.1:8081\n";
    let problems = parse(text, &env()).unwrap_err();
    let shown: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
        .collect();
    assert_eq!(
        shown,
        [
            "8:3: the key \"registration.mode\" appears twice (first at line 7); keep one",
            "9:1: the key \"issuer\" appears twice (first at line 1); keep one",
        ]
    );
    assert_eq!(
        only_problem(&minimal(
            "clients:\n  - id: app\n    name: App\n    name: Other\n    redirect_uris: ['https://a.example/cb']\n"
        )),
        "9:5: the key \"clients[0].name\" appears twice (first at line 8); keep one"
    );
}

#[test]
fn broken_yaml_and_an_empty_file_say_so() {
    assert_eq!(
        only_problem(&minimal("registration:\n\tmode: open\n")),
        "7:2: this is not valid YAML: tabs disallowed within this context (block indentation)"
    );
    assert!(only_problem(&minimal("pipeline: [social_user\n")).contains("this is not valid YAML: "));
    for empty in ["", "\n\n", "# nothing yet\n"] {
        assert_eq!(
            only_problem(empty),
            "1:1: the file is empty; it needs at least issuer, database.url and secrets.master_key \
             (config/tessera.example.yaml has them all)"
        );
    }
}

#[test]
fn structure_messages_carry_no_rust_words() {
    let inputs = [
        minimal(&format!("{SMTP}    port: seventy\n")),
        minimal("jobs:\n  workers: [1]\n  max_attempts: x\n"),
        minimal("passwords:\n  min_length: 1.5\n"),
        minimal("logging:\n  level: ~\n  format: [text]\n"),
        minimal("remote_auth:\n  - id: ~\n"),
        minimal("clients: {}\n"),
        minimal("security:\n  throttle:\n    login_free_failures: 99999999999999999999999\n"),
        minimal("sandbox: 5\n"),
        minimal("upstreams:\n  - { id: fb, kind: facebook, client_id: a, client_secret: b, trust_email: maybe }\n"),
        minimal("upstreams:\n  - { id: fb, kind: facebook, client_secret: b }\n"),
        minimal("upstreams:\n  - { id: fb, kind: myspace, client_id: a }\n"),
        minimal("upstreams:\n  - { id: fb, kind: facebook, client_id: a, client_secret: b, colour: red }\n"),
        "issuer: [a]\n".to_owned(),
    ];
    for text in inputs {
        for message in all_messages(&text) {
            for rust in [
                "u16",
                "u32",
                "u64",
                "usize",
                "i32",
                "Option<",
                "String",
                "struct",
                "Raw",
                "DuplicateKeyPolicy",
                "`",
                "invalid type",
                "scalar",
                "sequence",
                "serde",
            ] {
                assert!(!message.contains(rust), "{rust:?} in {message:?}");
            }
        }
    }
}

#[test]
fn an_upstream_entry_names_the_key_serde_json_refused() {
    let fb = |extra: &str| minimal(&format!("upstreams:\n  - {{ id: fb, kind: facebook{extra} }}\n"));
    assert_eq!(
        all_messages(&fb(", client_id: a, client_secret: b, trust_email: maybe")),
        ["upstreams[0].trust_email: expected true or false, got \"maybe\""]
    );
    assert_eq!(
        all_messages(&fb(", client_secret: b")),
        ["upstreams[0].client_id is required"]
    );
    let unknown = all_messages(&fb(", client_id: a, client_secret: b, trust_emial: true"));
    assert!(
        unknown[0]
            .starts_with("upstreams[0].trust_emial: unknown key (did you mean trust_email?); upstreams[0] takes id,"),
        "{unknown:?}"
    );
    let kind = all_messages(&minimal("upstreams:\n  - { id: x, kind: myspace, client_id: a }\n"));
    assert_eq!(
        kind,
        ["upstreams[0].kind: \"myspace\" is not one of: twitter, x_oauth2, facebook, instagram, oidc, oauth2"]
    );
}

#[test]
fn the_idle_timeout_is_at_most_the_absolute_one() {
    assert_eq!(
        only_problem(&minimal("sessions:\n  idle_timeout: 30d\n")),
        "7:17: sessions.idle_timeout (30d) is longer than sessions.absolute_timeout (14d, the default), so it \
         can never apply: make sessions.idle_timeout at most 14d, or raise sessions.absolute_timeout"
    );
    assert_eq!(
        only_problem(&minimal("sessions:\n  absolute_timeout: 1h\n")),
        "7:21: sessions.idle_timeout (2h, the default) is longer than sessions.absolute_timeout (1h), so it \
         can never apply: make sessions.idle_timeout at most 1h, or raise sessions.absolute_timeout"
    );
    let equal = parse(
        &minimal("sessions:\n  idle_timeout: 3d\n  absolute_timeout: 72h\n"),
        &env(),
    )
    .unwrap();
    assert_eq!(equal.session_idle, equal.session_absolute);
    // A value that is wrong by itself is reported alone, not compared with the other.
    assert_eq!(
        all_messages(&minimal("sessions:\n  idle_timeout: soon\n  absolute_timeout: 1h\n")).len(),
        1
    );
    assert_eq!(
        only_problem(&minimal("sessions:\n  absolute_timeout: 401d\n")),
        "7:21: sessions.absolute_timeout: \"401d\" is longer than 400d; browsers keep a cookie at most 400 days, \
         so the session would end there anyway"
    );
}

#[test]
fn keys_rotate_no_sooner_than_their_publication_and_tokens_allow() {
    assert_eq!(
        only_problem(&minimal("oidc:\n  key_rotation: 1h\n  key_publish_before: 1h\n")),
        "7:17: oidc.key_rotation (1h) is shorter than oidc.key_publish_before (1h) plus the longest token \
         lifetime, oidc.id_token_ttl (1h, the default): a key must outlast its own publication and the tokens \
         it signed, or the JWKS holds ever more keys; make oidc.key_rotation at least 2h, or shorten the others"
    );
    let access = only_problem(&minimal(
        "oidc:\n  access_token_ttl: 40d\n  refresh_token_ttl: 60d\n  refresh_token_idle: 50d\n",
    ));
    assert!(
        access.starts_with(
            "7:21: oidc.key_rotation (30d, the default) is shorter than oidc.key_publish_before (1h, the default) \
             plus the longest token lifetime, oidc.access_token_ttl (40d)"
        ),
        "{access}"
    );
    assert!(
        access.ends_with("make oidc.key_rotation at least 961h, or shorten the others"),
        "{access}"
    );
    assert!(
        parse(
            &minimal("oidc:\n  key_rotation: 2h\n  key_publish_before: 1h\n"),
            &env()
        )
        .is_ok()
    );
}

#[test]
fn a_refresh_token_outlives_an_access_token_and_its_idle_time_fits_its_lifetime() {
    assert_eq!(
        only_problem(&minimal("oidc:\n  refresh_token_idle: 60d\n")),
        "7:23: oidc.refresh_token_idle (60d) is longer than oidc.refresh_token_ttl (30d, the default), so it can \
         never apply: make oidc.refresh_token_idle at most 30d, or raise oidc.refresh_token_ttl"
    );
    assert_eq!(
        only_problem(&minimal("oidc:\n  refresh_token_idle: 10m\n")),
        "7:23: oidc.refresh_token_idle (10m) is not longer than oidc.access_token_ttl (10m, the default): an app \
         refreshes when its access token expires, and by then its refresh token has died unused; make \
         oidc.refresh_token_idle longer than 10m, or shorten oidc.access_token_ttl"
    );
    assert!(parse(&minimal("oidc:\n  refresh_token_idle: 11m\n"), &env()).is_ok());
}

#[test]
fn a_short_lease_or_key_publication_is_a_warning() {
    let hook = "webhooks:\n  - url: 'https://hooks.example/in'\n    events: [user.login]\n    secret: hook-secret-0123456789\n";
    let c = parse(&minimal(&format!("jobs:\n  lease: 5s\n{hook}")), &env()).unwrap();
    let warnings: Vec<String> = c
        .warnings
        .iter()
        .map(|w| format!("{}:{}: {}", w.line, w.column, w.message))
        .collect();
    assert_eq!(
        warnings,
        [
            "7:10: jobs.lease (5s) is not longer than webhooks[0].timeout (10s, the default): a job still waiting \
          for its answer when the lease ends is taken over by another worker and runs twice; make jobs.lease \
          longer than 10s"
        ]
    );
    let smtp = parse(&minimal(&format!("{SMTP}    timeout: 2m\n")), &env()).unwrap();
    assert!(
        smtp.warnings[0]
            .message
            .starts_with("jobs.lease (1m, the default) is not longer than email.transport.timeout (2m)")
    );
    let c = parse(&minimal("oidc:\n  key_publish_before: 5m\n"), &env()).unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0]
            .message
            .starts_with("oidc.key_publish_before (5m) is shorter than 6m")
    );
    assert!(
        parse(&minimal(""), &env()).unwrap().warnings.is_empty(),
        "the defaults draw no warning"
    );
}

const HUNDRED_YEARS: &str = "36525d";
const OVER_A_HUNDRED_YEARS: &str = "3155760001s";

/// Every duration key: its path as messages name it, the YAML that sets it (`{}` is the
/// value), its longest accepted value and the next second.
fn duration_keys() -> Vec<(String, String, &'static str, &'static str)> {
    let mut keys: Vec<(String, String, &str, &str)> = vec![
        ("sessions.idle_timeout".into(), "sessions:\n  idle_timeout: {}\n  absolute_timeout: 400d\n".into(), "400d", "34560001s"),
        ("sessions.absolute_timeout".into(), "sessions:\n  absolute_timeout: {}\n".into(), "400d", "34560001s"),
        ("sessions.upstream_login_ttl".into(), "sessions:\n  upstream_login_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("links.confirm_email_ttl".into(), "links:\n  confirm_email_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("links.reset_password_ttl".into(), "links:\n  reset_password_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("email.transport.timeout".into(), format!("{SMTP}    timeout: {{}}\n"), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("jobs.lease".into(), "jobs:\n  lease: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("server.header_read_timeout".into(), "server:\n  header_read_timeout: {}\n".into(), "5m", "301s"),
        ("server.shutdown_deadline".into(), "server:\n  shutdown_deadline: {}\n".into(), "1h", "3601s"),
        ("server.cleanup_interval".into(), "server:\n  cleanup_interval: {}\n".into(), "1d", "86401s"),
        ("jobs.retention".into(), "jobs:\n  retention: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("jobs.poll_interval".into(), "jobs:\n  poll_interval: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("actions.followup_email.after".into(), "actions:\n  followup_email:\n    after: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        (
            "webhooks.timeout".into(),
            "webhooks:\n  - url: 'https://hooks.example/in'\n    events: [user.login]\n    secret: hook-secret-0123456789\n    timeout: {}\n".into(),
            HUNDRED_YEARS,
            OVER_A_HUNDRED_YEARS,
        ),
        (
            "remote_auth.timestamp_window".into(),
            "remote_auth:\n  - { id: z, kind: zendesk_jwt, url: 'https://x.zendesk.com', secret: s, timestamp_window: {} }\n".into(),
            "1h",
            "3601s",
        ),
        // Each with what the rules across keys need of the others at that length.
        ("oidc.code_ttl".into(), "oidc:\n  code_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("oidc.authorization_ttl".into(), "oidc:\n  authorization_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        ("oidc.code_replay_window".into(), "oidc:\n  code_replay_window: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        (
            "oidc.access_token_ttl".into(),
            "oidc:\n  access_token_ttl: {}\n  key_rotation: 36525d\n  key_publish_before: 1s\n  refresh_token_ttl: 36525d\n  refresh_token_idle: 36525d\n".into(),
            "3155759999s",
            OVER_A_HUNDRED_YEARS,
        ),
        (
            "oidc.id_token_ttl".into(),
            "oidc:\n  id_token_ttl: {}\n  key_rotation: 36525d\n  key_publish_before: 1s\n".into(),
            "3155759999s",
            OVER_A_HUNDRED_YEARS,
        ),
        ("oidc.refresh_token_ttl".into(), "oidc:\n  refresh_token_ttl: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        (
            "oidc.refresh_token_idle".into(),
            "oidc:\n  refresh_token_idle: {}\n  refresh_token_ttl: 36525d\n".into(),
            HUNDRED_YEARS,
            OVER_A_HUNDRED_YEARS,
        ),
        ("oidc.key_rotation".into(), "oidc:\n  key_rotation: {}\n".into(), HUNDRED_YEARS, OVER_A_HUNDRED_YEARS),
        (
            "oidc.key_publish_before".into(),
            "oidc:\n  key_publish_before: {}\n  key_rotation: 36525d\n  id_token_ttl: 1s\n  access_token_ttl: 1s\n  refresh_token_idle: 2s\n".into(),
            "3155759999s",
            OVER_A_HUNDRED_YEARS,
        ),
    ];
    for name in [
        "login_window",
        "login_delay_base",
        "login_delay_max",
        "login_pair_lockout",
        "login_ip_lockout",
        "login_account_lockout",
        "client_lockout",
        "code_lockout",
        "mail_window",
        "helpdesk_window",
    ] {
        // The delay's base may not pass its maximum.
        let max = if name == "login_delay_base" {
            "    login_delay_max: 36525d\n"
        } else {
            ""
        };
        keys.push((
            format!("security.throttle.{name}"),
            format!("security:\n  throttle:\n{max}    {name}: {{}}\n"),
            HUNDRED_YEARS,
            OVER_A_HUNDRED_YEARS,
        ));
    }
    keys
}

#[test]
fn the_duration_key_list_has_every_duration_of_the_raw_structs() {
    // A field of raw.rs that holds a duration is named like one; each must be in the list.
    let listed: Vec<String> = duration_keys()
        .into_iter()
        .map(|(path, ..)| path.rsplit('.').next().unwrap().to_owned())
        .collect();
    let duration_like = [
        "ttl",
        "timeout",
        "window",
        "lease",
        "interval",
        "lockout",
        "delay",
        "rotation",
        "before",
        "idle",
        "after",
        "deadline",
        "retention",
    ];
    let mut found = 0;
    for line in include_str!("raw.rs").lines() {
        let line = line.trim();
        let Some(field) = line.strip_prefix("pub ").and_then(|l| l.split_once(": ")) else {
            continue;
        };
        let (name, ty) = field;
        if !matches!(ty, "Option<S>," | "S,") || !duration_like.iter().any(|d| name.contains(d)) {
            continue;
        }
        found += 1;
        assert!(
            listed.iter().any(|l| l == name),
            "{name} is a duration missing from duration_keys()"
        );
    }
    assert_eq!(found, listed.len(), "every listed key is in raw.rs");
}

#[test]
fn every_duration_key_takes_its_longest_value_and_refuses_a_second_more() {
    for (path, yaml, longest, over) in duration_keys() {
        for bad in ["soon", "-1s", "1e400s", "99999999999999999999999d"] {
            let messages = all_messages(&minimal(&yaml.replace("{}", bad)));
            assert_eq!(messages.len(), 1, "{path}: {bad}: {messages:?}");
            assert!(messages[0].starts_with(&format!("{path}: \"{bad}\"")), "{messages:?}");
        }
        let at_most = minimal(&yaml.replace("{}", longest));
        let config = std::panic::catch_unwind(|| parse(&at_most, &env()))
            .unwrap_or_else(|_| panic!("{path}: {longest} panicked"));
        assert!(config.is_ok(), "{path}: {longest}: {:?}", config.err());
        let too_long = minimal(&yaml.replace("{}", over));
        let messages = all_messages(&too_long);
        assert_eq!(messages.len(), 1, "{path}: {over}: {messages:?}");
        let m = &messages[0];
        assert!(
            m == &format!("{path}: \"{over}\" is too long; the longest duration is 36525d (100 years)")
                || m.starts_with(&format!("{path}: \"{over}\" is longer than "))
                || m.starts_with(&format!("{path} ({over}) is longer than "))
                || m == "remote_auth.timestamp_window: choose at most 1h; a wider window keeps captured sign-in links usable for longer",
            "{path}: {messages:?}"
        );
    }
}

/// Every duration at the longest the rules across keys allow together.
pub(crate) const ALL_AT_MOST: &str = "sessions:\n  idle_timeout: 400d\n  absolute_timeout: 400d\n  upstream_login_ttl: 36525d\n\
links:\n  confirm_email_ttl: 36525d\n  reset_password_ttl: 36525d\n\
jobs:\n  lease: 36525d\n  poll_interval: 36525d\n\
actions:\n  followup_email:\n    after: 36525d\n\
webhooks:\n  - url: 'https://hooks.example/in'\n    events: [user.login]\n    secret: hook-secret-0123456789\n    timeout: 36524d\n\
oidc:\n  authorization_ttl: 36525d\n  code_ttl: 36525d\n  code_replay_window: 36525d\n  access_token_ttl: 36524d\n  id_token_ttl: 36524d\n  refresh_token_ttl: 36525d\n  refresh_token_idle: 36525d\n  key_rotation: 36525d\n  key_publish_before: 1d\n\
security:\n  throttle:\n    login_window: 36525d\n    login_delay_base: 36525d\n    login_delay_max: 36525d\n    login_pair_lockout: 36525d\n    login_ip_lockout: 36525d\n    login_account_lockout: 36525d\n    client_lockout: 36525d\n    code_lockout: 36525d\n    mail_window: 36525d\n    helpdesk_window: 36525d\n";

/// What the server computes from configured durations, at their longest: none of it panics
/// or wraps (`OffsetDateTime` ends in the year 9999; seconds are `i64`).
#[test]
fn the_longest_durations_add_up_without_overflow() {
    use time::OffsetDateTime;
    let c = parse(&minimal(ALL_AT_MOST), &env()).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let o = &c.oidc;
    // A century from a far later "now" than today still fits.
    let now = OffsetDateTime::now_utc() + Duration::from_secs(100 * 365 * 86_400);
    let durations = [
        c.session_idle,
        c.session_absolute,
        c.upstream_login_ttl,
        c.confirm_email_ttl,
        c.reset_password_ttl,
        c.jobs.lease,
        c.jobs.poll_interval,
        c.actions.followup_after.unwrap(),
        c.webhooks[0].timeout,
        o.authorization_ttl,
        o.code_ttl,
        o.code_replay_window,
        o.access_token_ttl,
        o.id_token_ttl,
        o.refresh_token_ttl,
        o.refresh_token_idle,
        o.key_rotation,
        o.key_publish_before,
        c.throttle.longest_window(),
    ];
    for d in durations {
        assert!(d <= MAX_DURATION);
        let _ = now + d;
        let _ = now - d;
        let _ = std::time::Instant::now() + d;
        let _ = std::time::SystemTime::now() + d;
        assert!(i64::try_from(d.as_secs()).is_ok());
    }
    // The key schedule adds two of them: publication, then the longest token and a minute.
    let _ = now + o.key_publish_before + o.id_token_ttl.max(o.access_token_ttl) + Duration::from_secs(60);
    let _ = now + o.refresh_token_idle + o.refresh_token_ttl;
    let t = c.throttle;
    for p in [t.login.pair, t.login.ip, t.login.account, t.client, t.code] {
        for failures in [0, 1, 5, 40, 1_000_000, i64::MAX] {
            let block = p.block_seconds(failures);
            assert!((0..=p.lockout_seconds.max(p.delay_max_seconds)).contains(&block));
            let _ = now.unix_timestamp().saturating_add(block);
        }
    }
}

/// Random values in every duration key: the whole file loads or is refused, never panics,
/// and a refusal names the key.
#[test]
fn random_values_in_every_duration_key_never_panic() {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    let mut rng = StdRng::seed_from_u64(0xd0_7a71);
    let units = ["s", "m", "h", "d", "w", "", "x", "ms", " s", "\u{ff4d}"];
    for (path, yaml, ..) in duration_keys() {
        for _ in 0..60 {
            let digits: String = (0..rng.random_range(0..25))
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let sign = ["", "", "-", "+"][rng.random_range(0..4)];
            let value = format!("{sign}{digits}{}", units[rng.random_range(0..units.len())]);
            // Quoted, so YAML reads it as text whatever it looks like.
            let text = minimal(&yaml.replace("{}", &format!("{value:?}")));
            let outcome = std::panic::catch_unwind(|| parse(&text, &env()))
                .unwrap_or_else(|_| panic!("{path}: {value:?} panicked"));
            if let Err(problems) = outcome {
                assert!(
                    problems.iter().any(|p| p.message.contains(path.as_str())),
                    "{path}: {value:?}: {problems:?}"
                );
            }
        }
    }
}

#[test]
fn branding_is_read_and_every_bad_value_is_named_with_its_line() {
    let dir = std::env::temp_dir().join(format!("tessera-branding-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let logo = dir.join("logo.svg");
    std::fs::write(&logo, "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    let good = minimal(&format!(
        "branding:\n  name: Example Corp\n  logo: {}\n  primary_color: \"#0B7285\"\n  links:\n    privacy: https://example.com/p\n    help: /help\n  default_language: de\n",
        logo.display()
    ));
    let c = parse(&good, &env()).unwrap();
    assert_eq!(c.branding.name, "Example Corp");
    assert_eq!(c.branding.logo.as_ref().map(|l| l.content_type), Some("image/svg+xml"));
    assert_eq!(c.branding.colors.as_ref().map(|b| b.brand.as_str()), Some("#0b7285"));
    assert_eq!(
        c.branding.links,
        [
            ("privacy", "https://example.com/p".to_owned()),
            ("help", "/help".to_owned())
        ]
    );
    assert_eq!(c.branding.default_language, "de");

    let bad = minimal(
        "branding:\n  name: \"\"\n  logo: /nowhere/logo.png\n  primary_color: blue\n  links:\n    terms: javascript:alert(1)\n",
    );
    let problems = parse(&bad, &env()).unwrap_err();
    let messages: Vec<(u64, &str)> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
    assert_eq!(problems.len(), 4, "{messages:#?}");
    assert!(
        messages[0].1.starts_with("branding.name:") && messages[0].0 == 7,
        "{messages:#?}"
    );
    assert!(messages[1].1.contains("cannot read /nowhere/logo.png"), "{messages:#?}");
    assert!(messages[2].1.contains("\"#3b5bdb\""), "{messages:#?}");
    assert!(
        messages[3].1.starts_with("branding.links.terms:") && messages[3].0 == 11,
        "{messages:#?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
