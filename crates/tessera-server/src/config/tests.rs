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
