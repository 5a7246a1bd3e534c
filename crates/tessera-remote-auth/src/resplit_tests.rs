//! Re-splitting signed legacy links, as someone holding one would: every way
//! to cut the hashed string back into fields verifies at Zendesk, so these
//! tests enumerate them all and check whom each one would name.
//!
//! "Naming" follows Zendesk's lookup: the external id when one is given,
//! otherwise the email. The assertions below are about *other accounts*:
//! a split that hands back the signer's own address (or a string no account
//! has) signs nobody else in. See the module docs of `src/zendesk_md5.rs` for the rules.

use md5::{Digest, Md5};

use crate::test_support::{at, param, secret, zendesk};
use crate::{Person, PersonField, RemoteAuthError, zendesk_md5, zendesk_md5_pipe};

const TIMESTAMP: i64 = 1_800_000_000;
const MALLORY_ID: &str = "0b6c3c52-5d0e-4d9b-9b8e-3f5a1c2d4e6f";
const MALLORY_EMAIL: &str = "mallory1@evil.example";
const VICTIM_ID: &str = "7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const VICTIM_EMAIL: &str = "victim@corp.example";

/// An account as Zendesk knows it.
struct Account {
    email: &'static str,
    external_id: &'static str,
}

const VICTIM: Account = Account {
    email: VICTIM_EMAIL,
    external_id: VICTIM_ID,
};

/// The four fields of the concatenated scheme, in hash order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Split<'a> {
    name: &'a str,
    email: &'a str,
    external_id: &'a str,
    organization: &'a str,
}

impl Split<'_> {
    fn joined(&self) -> String {
        [self.name, self.email, self.external_id, self.organization].concat()
    }

    /// Whether Zendesk could look this split up as `account`: by its
    /// external id, or by its email (alone, or as a fallback when Zendesk
    /// does not know the external id).
    fn names(&self, account: &Account) -> bool {
        if self.external_id.is_empty() {
            self.email == account.email
        } else {
            self.external_id == account.external_id || self.email == account.email
        }
    }
}

/// Whether a field holds something shaped like an address (one `@`, text on both sides).
fn is_address(email: &str) -> bool {
    email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
}

/// Every way to cut `joined` into name, email, external id and organization
/// (each possibly empty), at character boundaries.
fn concatenated_resplits(joined: &str) -> Vec<Split<'_>> {
    let cuts: Vec<usize> = joined.char_indices().map(|(i, _)| i).chain([joined.len()]).collect();
    let mut splits = Vec::new();
    for (a, &first) in cuts.iter().enumerate() {
        for (b, &second) in cuts.iter().enumerate().skip(a) {
            for &third in &cuts[b..] {
                splits.push(Split {
                    name: &joined[..first],
                    email: &joined[first..second],
                    external_id: &joined[second..third],
                    organization: &joined[third..],
                });
            }
        }
    }
    splits
}

/// Every way to read `joined` back as `fields` fields separated by `|`: each
/// choice of `fields - 1` of its `|` as the separators.
fn pipe_resplits(joined: &str, fields: usize) -> Vec<Vec<&str>> {
    let pipes: Vec<usize> = joined.match_indices('|').map(|(i, _)| i).collect();
    let mut splits = Vec::new();
    let mut chosen = Vec::new();
    choose_separators(&pipes, fields - 1, &mut chosen, &mut |separators| {
        let mut parts = Vec::with_capacity(fields);
        let mut start = 0;
        for &at in separators {
            parts.push(&joined[start..at]);
            start = at + 1;
        }
        parts.push(&joined[start..]);
        splits.push(parts);
    });
    splits
}

fn choose_separators(pipes: &[usize], wanted: usize, chosen: &mut Vec<usize>, found: &mut dyn FnMut(&[usize])) {
    if chosen.len() == wanted {
        found(chosen);
        return;
    }
    for (i, &pipe) in pipes.iter().enumerate() {
        chosen.push(pipe);
        choose_separators(&pipes[i + 1..], wanted, chosen, found);
        chosen.pop();
    }
}

/// The legacy hash, computed here independently of the signer.
fn md5_hex(text: &str) -> String {
    tessera_core::secret_token::hex_lower(&Md5::digest(text.as_bytes()))
}

fn concatenated_hash(split: &Split<'_>) -> String {
    md5_hex(&format!("{}abc123{TIMESTAMP}", split.joined()))
}

/// The four hashed person fields of a signed `/access/remote/` link, as Zendesk decodes them.
fn signed_fields(url: &url::Url) -> [String; 4] {
    ["name", "email", "external_id", "organization"].map(|key| param(url, key).unwrap_or_default())
}

fn mallory() -> Person {
    Person {
        name: "Mallory".into(),
        email: MALLORY_EMAIL.into(),
        external_id: MALLORY_ID.into(),
        ..Person::default()
    }
}

#[test]
fn mallorys_resplit_into_the_victim_is_refused() {
    // What the old default (external_id = the person-chosen username) signed.
    let signed = Split {
        name: "Mallory",
        email: MALLORY_EMAIL,
        external_id: "xvictim@corp.example",
        organization: "",
    };
    let attack = Split {
        name: "Mallorymallory1@evil.examplex",
        email: VICTIM_EMAIL,
        external_id: "",
        organization: "",
    };
    // It would have verified before: same joined string, same hash.
    assert_eq!(signed.joined(), attack.joined());
    assert_eq!(concatenated_hash(&signed), concatenated_hash(&attack));
    let joined = signed.joined();
    assert!(
        concatenated_resplits(&joined).contains(&attack),
        "the enumeration finds the attack"
    );

    // Now nothing is signed for those values.
    let old_values = Person {
        external_id: "xvictim@corp.example".into(),
        ..mallory()
    };
    assert_eq!(
        zendesk_md5(&zendesk(), &secret(), &old_values, at(TIMESTAMP), None),
        Err(RemoteAuthError::UnsafeCharacter {
            field: PersonField::ExternalId,
            character: '@',
        })
    );
    // Nor when the address hides in the display name instead.
    let in_name = Person {
        name: "Mallory xvictim@corp.example".into(),
        ..mallory()
    };
    assert_eq!(
        zendesk_md5(&zendesk(), &secret(), &in_name, at(TIMESTAMP), None),
        Err(RemoteAuthError::UnsafeCharacter {
            field: PersonField::Name,
            character: '@',
        })
    );
}

#[test]
fn no_resplit_of_a_signed_link_names_another_account() {
    let url = zendesk_md5(&zendesk(), &secret(), &mallory(), at(TIMESTAMP), None).unwrap();
    let hash = param(&url, "hash").unwrap();
    let [name, email, external_id, organization] = signed_fields(&url);
    let original = Split {
        name: &name,
        email: &email,
        external_id: &external_id,
        organization: &organization,
    };
    let joined = original.joined();
    let splits = concatenated_resplits(&joined);
    assert!(splits.contains(&original));

    let (mallory_local, mallory_domain) = MALLORY_EMAIL.split_once('@').unwrap();
    for split in &splits {
        assert_eq!(concatenated_hash(split), hash, "every re-split verifies: {split:?}");
        assert!(!split.names(&VICTIM), "names the victim: {split:?}");
        if is_address(split.email) {
            // Only neighbours of Mallory's own address remain (see the module docs).
            let (local, domain) = split.email.split_once('@').unwrap();
            assert!(format!("Mallory{mallory_local}").ends_with(local), "{split:?}");
            assert!(format!("{mallory_domain}{MALLORY_ID}").starts_with(domain), "{split:?}");
        }
    }
}

#[test]
fn pipe_links_split_back_only_into_the_signed_fields() {
    let person = Person {
        organization: Some("Acme, Inc.".into()),
        tags: vec!["vip".into(), "beta".into()],
        ..mallory()
    };
    let url = zendesk_md5_pipe(&zendesk(), &secret(), &person, at(TIMESTAMP), None).unwrap();
    let fields: Vec<String> = [
        "name",
        "email",
        "external_id",
        "organization",
        "tags",
        "remote_photo_url",
    ]
    .map(|key| param(&url, key).unwrap_or_default())
    .to_vec();
    let joined = fields.join("|");
    assert_eq!(
        md5_hex(&format!("{joined}|abc123|{TIMESTAMP}")),
        param(&url, "hash").unwrap()
    );

    let splits = pipe_resplits(&joined, 6);
    assert_eq!(splits, [fields.iter().map(String::as_str).collect::<Vec<_>>()]);
    assert_eq!(
        fields[4].split(',').collect::<Vec<_>>(),
        ["vip", "beta"],
        "the tags come back as the same tags"
    );
}

#[test]
fn a_pipe_in_the_name_would_have_resplit_into_the_victim() {
    let name = "Mallory|victim@corp.example|";
    // The old signer hashed these six fields (organization, tags and photo empty).
    let joined = [name, MALLORY_EMAIL, MALLORY_ID, "", "", ""].join("|");
    let victim_split = pipe_resplits(&joined, 6)
        .into_iter()
        .find(|fields| fields[1] == VICTIM_EMAIL && fields[2].is_empty());
    assert!(victim_split.is_some(), "the old link re-splits into the victim");

    let person = Person {
        name: name.into(),
        ..mallory()
    };
    assert_eq!(
        zendesk_md5_pipe(&zendesk(), &secret(), &person, at(TIMESTAMP), None),
        Err(RemoteAuthError::UnsafeCharacter {
            field: PersonField::Name,
            character: '|',
        })
    );
}

/// What the rules cannot remove (documented in `zendesk_md5`): a re-split can
/// present a neighbour of the signer's own address, here the victim's at the
/// same mail provider. The external id stays the signer's or becomes nobody's,
/// so whether this signs the victim in depends on Zendesk's lookup; JWT has
/// no such split at all.
#[test]
fn the_residual_risk_is_a_neighbouring_address() {
    let neighbour = Person {
        email: "xvictim@mail.example".into(),
        ..mallory()
    };
    let url = zendesk_md5(&zendesk(), &secret(), &neighbour, at(TIMESTAMP), None).unwrap();
    let joined = signed_fields(&url).concat();
    let splits = concatenated_resplits(&joined);
    let at_victims_address: Vec<&Split<'_>> = splits.iter().filter(|s| s.email == "victim@mail.example").collect();
    assert!(!at_victims_address.is_empty());
    for split in at_victims_address {
        assert!(
            split.external_id.is_empty() || MALLORY_ID.contains(split.external_id),
            "{split:?}"
        );
    }
    assert!(splits.iter().all(|s| s.external_id != VICTIM_ID));
}

/// A small deterministic generator (xorshift64*), so the random test needs
/// no extra dependency and every failure is reproducible.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Up to `most` pieces glued together.
    fn text(&mut self, pieces: &[&str], most: usize) -> String {
        let count = self.below(most + 1);
        (0..count).map(|_| self.pick(pieces)).collect()
    }
}

/// Pieces people could type.
const SAFE_PIECES: &[&str] = &["Mallory", "x", "1", " ", "é", ".", "-", ",", "victim", "corp.example"];
/// The victim's identifiers and every boundary character.
const RISKY_PIECES: &[&str] = &["@", "|", VICTIM_EMAIL, VICTIM_ID, "@corp.example", "victim|"];
/// Usernames, sent as the external id by callers that ignore the advice.
const USERNAMES: &[&str] = &["mallory", "xvictim", "x@corp.example", "m|x", MALLORY_ID];
const LOCAL_PARTS: &[&str] = &["mallory", "x", "victim.x", "1", "m|x", "a@b"];
/// Domains Mallory can receive mail at, one of them carrying the victim's id.
const DOMAINS: &[&str] = &["evil.example", "x.evil7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0.example"];

impl Random {
    /// Harmless text with, one time in four, a risky piece somewhere in it.
    fn field(&mut self) -> String {
        let risky = if self.below(4) == 0 {
            self.pick(RISKY_PIECES)
        } else {
            ""
        };
        format!("{}{risky}{}", self.text(SAFE_PIECES, 2), self.text(SAFE_PIECES, 1))
    }

    /// Mostly the first item, sometimes another one.
    fn mostly_first<'a>(&mut self, items: &[&'a str]) -> &'a str {
        if self.below(3) == 0 { self.pick(items) } else { items[0] }
    }
}

fn random_person(random: &mut Random) -> Person {
    let external_id = match random.below(4) {
        0 => random.pick(USERNAMES).to_owned(),
        _ => MALLORY_ID.to_owned(),
    };
    let organization = if random.below(2) == 0 {
        random.field()
    } else {
        String::new()
    };
    Person {
        name: random.field(),
        email: format!("{}@{}", random.mostly_first(LOCAL_PARTS), random.mostly_first(DOMAINS)),
        external_id,
        organization: (!organization.is_empty()).then_some(organization),
        tags: (0..random.below(3)).map(|_| random.field()).collect(),
        ..Person::default()
    }
}

/// Whether `window` is shaped like a UUID (checked here independently of the signer).
fn uuid_shaped(window: &[u8]) -> bool {
    window.len() == 36
        && window.iter().enumerate().all(|(i, b)| {
            if [8, 13, 18, 23].contains(&i) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

fn uuid_shaped_runs(text: &str) -> usize {
    text.as_bytes().windows(36).filter(|w| uuid_shaped(w)).count()
}

/// The field a refusal names really holds the character it names.
fn assert_refusal_is_true(person: &Person, err: &RemoteAuthError) {
    match err {
        RemoteAuthError::UnsafeCharacter { field, character } => {
            let values: Vec<&str> = match field {
                PersonField::Name => vec![&person.name],
                PersonField::Email => vec![&person.email],
                PersonField::ExternalId => vec![&person.external_id],
                PersonField::Organization => person.organization.iter().map(String::as_str).collect(),
                PersonField::Tags => person.tags.iter().map(String::as_str).collect(),
                PersonField::RemotePhotoUrl => person.remote_photo_url.iter().map(String::as_str).collect(),
            };
            assert!(values.iter().any(|v| v.contains(*character)), "{err} for {person:?}");
        }
        RemoteAuthError::MalformedEmail => assert_ne!(person.email.matches('@').count(), 1),
        RemoteAuthError::ExternalIdNotAnAccountId => assert!(!uuid_shaped(person.external_id.as_bytes())),
        RemoteAuthError::IdLikeText { .. } => {
            let organization = person.organization.as_deref().unwrap_or_default();
            let joined = [&person.name, &person.email, &person.external_id, organization].concat();
            assert!(uuid_shaped_runs(&joined) > 1, "{err} for {person:?}");
        }
        RemoteAuthError::MissingExternalId | RemoteAuthError::EmptyName => {}
        other => panic!("unexpected refusal {other:?} for {person:?}"),
    }
}

fn check_concatenated_scheme(person: &Person) {
    let url = match zendesk_md5(&zendesk(), &secret(), person, at(TIMESTAMP), None) {
        Ok(url) => url,
        Err(err) => return assert_refusal_is_true(person, &err),
    };
    let [name, email, external_id, organization] = signed_fields(&url);
    let joined = [name, email, external_id, organization].concat();
    assert_eq!(
        joined.matches('@').count(),
        1,
        "only the email's @ is signed: {person:?}"
    );
    assert_eq!(
        uuid_shaped_runs(&joined),
        1,
        "only the external id is id-shaped: {person:?}"
    );
    for split in concatenated_resplits(&joined) {
        assert!(!split.names(&VICTIM), "{split:?} from {person:?}");
    }
}

fn check_pipe_scheme(person: &Person) {
    let url = match zendesk_md5_pipe(&zendesk(), &secret(), person, at(TIMESTAMP), None) {
        Ok(url) => url,
        Err(err) => return assert_refusal_is_true(person, &err),
    };
    let fields = [
        "name",
        "email",
        "external_id",
        "organization",
        "tags",
        "remote_photo_url",
    ]
    .map(|key| param(&url, key).unwrap_or_default());
    let joined = fields.join("|");
    let splits = pipe_resplits(&joined, 6);
    assert_eq!(splits.len(), 1, "{person:?}");
    assert_eq!(splits[0], fields.iter().map(String::as_str).collect::<Vec<_>>());
    let tags: Vec<&str> = fields[4].split(',').filter(|t| !t.is_empty()).collect();
    let sent: Vec<&str> = person
        .tags
        .iter()
        .map(String::as_str)
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(tags, sent, "{person:?}");
}

#[test]
fn random_people_never_resplit_into_someone_else() {
    let mut random = Random(0x5eed_1e55_ca5e_d00d);
    let (mut signed, mut refused) = (0, 0);
    for _ in 0..400 {
        let person = random_person(&mut random);
        check_concatenated_scheme(&person);
        check_pipe_scheme(&person);
        match zendesk_md5(&zendesk(), &secret(), &person, at(TIMESTAMP), None) {
            Ok(_) => signed += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        signed > 50 && refused > 50,
        "both outcomes exercised: {signed} signed, {refused} refused"
    );
}
