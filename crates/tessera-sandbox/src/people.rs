//! The built-in test people each fake provider lets you sign in as.

use serde::Serialize;

use crate::Provider;

/// One test person at one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TestPerson {
    pub provider: Provider,
    /// What the chooser page and [`crate::browser::choose`] call them.
    pub key: &'static str,
    /// The provider's stable user id (Twitter/Facebook/Instagram ids, OIDC `sub`).
    pub id: &'static str,
    /// Screen name / username, where the provider has one.
    pub username: Option<&'static str>,
    pub name: &'static str,
    pub email: Option<&'static str>,
    /// Whether the provider vouches for the email (OIDC `email_verified`).
    pub email_verified: bool,
    pub picture: &'static str,
    /// Ids of people they follow (Twitter) or are friends with (Facebook);
    /// ids that are not test people "do not use the app".
    pub friends: &'static [&'static str],
    /// What the chooser page says about them.
    pub note: &'static str,
}

const PEOPLE: &[TestPerson] = &[
    TestPerson {
        provider: Provider::Twitter,
        key: "alice",
        id: "1001",
        username: Some("alice"),
        name: "Alice Example",
        email: Some("alice@example.com"),
        email_verified: true,
        picture: "https://pbs.twimg.invalid/profile_images/alice_normal.png",
        friends: &["1002", "1999"],
        note: "has a (verified) email, follows @bob",
    },
    TestPerson {
        provider: Provider::Twitter,
        key: "bob",
        id: "1002",
        username: Some("bob"),
        name: "Bob Example",
        email: None,
        email_verified: false,
        picture: "https://pbs.twimg.invalid/profile_images/bob_normal.png",
        friends: &["1001"],
        note: "no email, follows @alice",
    },
    TestPerson {
        provider: Provider::Facebook,
        key: "carol",
        id: "2001",
        username: None,
        name: "Carol Example",
        email: Some("carol@example.com"),
        email_verified: false,
        picture: "https://graph.facebook.invalid/2001/picture",
        friends: &["2002", "2999"],
        note: "has an email, friends with Dave",
    },
    TestPerson {
        provider: Provider::Facebook,
        key: "dave",
        id: "2002",
        username: None,
        name: "Dave Example",
        email: None,
        email_verified: false,
        picture: "https://graph.facebook.invalid/2002/picture",
        friends: &["2001"],
        note: "no email, friends with Carol",
    },
    TestPerson {
        provider: Provider::Instagram,
        key: "erin_photos",
        id: "3001",
        username: Some("erin_photos"),
        name: "Erin Photos",
        email: None,
        email_verified: false,
        picture: "https://scontent.cdninstagram.invalid/erin.jpg",
        friends: &[],
        note: "Instagram never shares an email",
    },
    TestPerson {
        provider: Provider::Oidc,
        key: "frank",
        id: "frank-4001",
        username: Some("frank"),
        name: "Frank Example",
        email: Some("frank@example.com"),
        email_verified: true,
        picture: "https://oidc.invalid/frank.png",
        friends: &[],
        note: "email verified",
    },
    TestPerson {
        provider: Provider::Oidc,
        key: "grace",
        id: "grace-4002",
        username: Some("grace"),
        name: "Grace Example",
        email: Some("grace@example.com"),
        email_verified: false,
        picture: "https://oidc.invalid/grace.png",
        friends: &[],
        note: "email NOT verified",
    },
];

/// Every built-in test person, for the web layer to list.
pub fn people() -> &'static [TestPerson] {
    PEOPLE
}

/// The people of one provider.
pub fn people_of(provider: Provider) -> impl Iterator<Item = &'static TestPerson> {
    PEOPLE.iter().filter(move |p| p.provider == provider)
}

/// A person by provider and key.
pub(crate) fn person(provider: Provider, key: &str) -> Option<&'static TestPerson> {
    people_of(provider).find(|p| p.key == key)
}

/// The friends of `person` who are test people ("use the app").
pub(crate) fn friends_using_app(person: &TestPerson) -> Vec<&'static TestPerson> {
    person
        .friends
        .iter()
        .filter_map(|id| people_of(person.provider).find(|p| p.id == *id))
        .collect()
}
