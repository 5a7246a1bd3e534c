use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Twitter's documentation example ("Creating a signature").
#[test]
fn twitter_documentation_vector() {
    let url: Url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
        .parse()
        .unwrap();
    let body = pairs(&[("status", "Hello Ladies + Gentlemen, a signed OAuth request!")]);
    let signer = Signer::new("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw").with_token(
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    let oauth = signer.sign(
        "POST",
        &url,
        &body,
        "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        1318622958,
    );
    let base = signature_base_string("POST", &url, &body, &oauth);
    assert_eq!(
        base,
        "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26\
         oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26\
         oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26\
         status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
    );
    let sig = &oauth.last().unwrap().1;
    assert_eq!(sig, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
    // The header carries the signature percent-encoded (RFC 5849 §3.5.1).
    let header = authorization_header(&oauth);
    assert!(
        header.starts_with("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "),
        "{header}"
    );
    assert!(
        header.contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""),
        "{header}"
    );
    // And the server side accepts it, with exactly these secrets.
    let parsed = parse_authorization_header(&header).unwrap();
    assert_eq!(parsed, oauth);
    let (cs, ts) = (
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    assert!(verify("POST", &url, &body, &parsed, cs, ts));
    assert!(!verify("POST", &url, &body, &parsed, cs, "other"));
    assert!(!verify("GET", &url, &body, &parsed, cs, ts));
    let tampered = pairs(&[("status", "Hello Ladies + Gentlemen, a signed OAuth request?")]);
    assert!(!verify("POST", &url, &tampered, &parsed, cs, ts));
}

/// RFC 5849 §1.2: the temporary credentials request of the photo example.
#[test]
fn rfc5849_section_1_2_vector() {
    let url: Url = "https://photos.example.net/initiate".parse().unwrap();
    let signer = Signer {
        callback: Some("http://printer.example.com/ready"),
        version: false,
        ..Signer::new("dpf43f3p2l4k3l03", "kd94hf93k423kf44")
    };
    let oauth = signer.sign("POST", &url, &[], "wIjqoS", 137131200);
    assert_eq!(
        oauth.last().unwrap(),
        &("oauth_signature".to_owned(), "74KNZJeDHnMBp0EMJ9ZHt/XKycU=".to_owned())
    );
    assert!(!oauth.iter().any(|(k, _)| k == "oauth_version"));
    let header = signer.authorization_header_with("POST", &url, &[], "wIjqoS", 137131200);
    assert!(
        header.contains("oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\""),
        "{header}"
    );
}

/// RFC 5849 §3.4.1.1: the base string example with repeated and encoded
/// parameters from query, body and header.
#[test]
fn rfc5849_base_string_example() {
    let url: Url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
        .parse()
        .unwrap();
    let body = pairs(&[("c2", ""), ("a3", "2 q")]);
    let oauth = pairs(&[
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("oauth_signature", "ignored"),
        ("realm", "Example"),
    ]);
    assert_eq!(
        signature_base_string("post", &url, &body, &oauth),
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26\
         c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    );
}

#[test]
fn percent_encoding_keeps_only_unreserved() {
    assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    assert_eq!(percent_encode("a b+c*d/e=f&g%"), "a%20b%2Bc%2Ad%2Fe%3Df%26g%25");
    assert_eq!(percent_encode("é☃"), "%C3%A9%E2%98%83");
    assert_eq!(percent_encode("!'()"), "%21%27%28%29");
}

#[test]
fn base_uri_normalization() {
    let uri = |s: &str| base_string_uri(&s.parse().unwrap());
    assert_eq!(
        uri("HTTP://Example.COM:80/r%20v/X?id=123"),
        "http://example.com/r%20v/X"
    );
    assert_eq!(
        uri("https://www.example.net:8080/?q=1"),
        "https://www.example.net:8080/"
    );
    assert_eq!(uri("https://example.net:443/a#frag"), "https://example.net/a");
    assert_eq!(
        uri("http://127.0.0.1:3000/twitter/oauth/request_token"),
        "http://127.0.0.1:3000/twitter/oauth/request_token"
    );
}

#[test]
fn key_without_token_secret_ends_in_ampersand() {
    // Same base string, the two key spellings differ only by the token secret.
    let a = hmac_sha1_signature("x", "cs", "");
    let b = hmac_sha1_signature("x", "cs", "t");
    assert_ne!(a, b);
    // HMAC-SHA1(key "cs&", "x") computed independently.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(b"cs&").unwrap();
    mac.update(b"x");
    assert_eq!(a, STANDARD.encode(mac.finalize().into_bytes()));
}

#[test]
fn verify_rejects_missing_or_other_method() {
    let url: Url = "http://127.0.0.1/x".parse().unwrap();
    let oauth = Signer::new("ck", "cs").sign("GET", &url, &[], "n", 1);
    assert!(verify("GET", &url, &[], &oauth, "cs", ""));
    let without: Vec<_> = oauth.iter().filter(|(k, _)| k != "oauth_signature").cloned().collect();
    assert!(!verify("GET", &url, &[], &without, "cs", ""));
    let plaintext: Vec<_> = oauth
        .iter()
        .map(|(k, v)| {
            if k == "oauth_signature_method" {
                (k.clone(), "PLAINTEXT".to_owned())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    assert!(!verify("GET", &url, &[], &plaintext, "cs", ""));
}

#[test]
fn header_parsing() {
    let parsed =
        parse_authorization_header(r#"OAuth realm="Photos", oauth_consumer_key="a%20b",oauth_nonce="x""#).unwrap();
    assert_eq!(parsed, pairs(&[("oauth_consumer_key", "a b"), ("oauth_nonce", "x")]));
    assert_eq!(parse_authorization_header("Bearer abc"), None);
    assert_eq!(parse_authorization_header("OAuth oauth_nonce=x"), None);
    assert_eq!(parse_authorization_header("OAuth oauth_nonce"), None);
}
