//! A generated seed with every kind of link: each room type, each access level a
//! place allows, passwords, expiries at odd instants, expired links, internal and
//! deny-download links, My Documents, nested folders, and titles that YAML or a
//! manifest path cannot take as they are. Shared by the export round-trip test and
//! the `export` benchmark (benches/scale.rs includes this file).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Room types in seed words, and the access levels a folder inside each may have.
const ROOM_TYPES: [(&str, &[&str]); 6] = [
    ("custom", &["editing", "review", "comment", "read"]),
    ("public", &["editing", "review", "comment", "read"]),
    ("filling-forms", &["fill-forms"]),
    ("editing", &["editing", "review", "comment", "read"]),
    (
        "virtual-data",
        &["editing", "fill-forms", "review", "comment", "read"],
    ),
    ("ai", &["editing", "review", "comment", "read"]),
];
const MY_DOCUMENTS_LEVELS: &[&str] = &["editing", "fill-forms", "review", "comment", "read"];

/// Titles a plain YAML scalar or a manifest path would get wrong.
const TRICKY: [&str; 10] = [
    "Q1: plan",
    "# not a comment",
    "yes",
    "2027",
    " leading space",
    "a/b",
    "Пресс-кит",
    "quote \" and \\ backslash",
    "null",
    "@my",
];

pub struct RichPortal {
    pub seed: String,
    /// Every link password, by the folder's manifest path.
    pub passwords: BTreeMap<String, String>,
    pub folders: usize,
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A portal of about `folders` folders.
pub fn rich_portal(folders: usize) -> RichPortal {
    let mut p = RichPortal {
        seed: String::from("tokens: [sk-test]\nrooms:\n"),
        passwords: BTreeMap::new(),
        folders: 0,
    };
    // Each room holds about 50 folders, two levels deep, plus My Documents.
    let per_room = 50;
    let rooms = (folders / (per_room + 1)).max(ROOM_TYPES.len());
    let mut n = 0usize;
    for r in 0..rooms {
        let (room_type, levels) = ROOM_TYPES[r % ROOM_TYPES.len()];
        let title = format!("Room {r:03} {room_type}");
        let _ = writeln!(
            p.seed,
            "  - title: {}\n    type: {room_type}",
            quote(&title)
        );
        p.folders += 1;
        // Custom and public rooms have their own link; form-filling rooms read or fill-forms.
        match room_type {
            "custom" | "public" => {
                let _ = writeln!(
                    p.seed,
                    "    link: {{ access: {}, title: {} }}",
                    ["read", "editing", "review", "comment"][r % 4],
                    quote(&format!("{title} link"))
                );
            }
            "filling-forms" => {
                let _ = writeln!(p.seed, "    link: {{ access: read, title: Forms }}");
            }
            _ => {}
        }
        p.seed.push_str("    folders:\n");
        let mut top = 0;
        while top < per_room && p.folders < folders.max(ROOM_TYPES.len() * 3) {
            let title = folder_title(n);
            let own = format!("Room {r:03} {room_type}/{title}");
            folder(&mut p, &own, &title, levels, n, 6);
            n += 1;
            top += 1;
            // Every fifth folder has two subfolders.
            if n.is_multiple_of(5) {
                p.seed.push_str("        folders:\n");
                for s in 0..2 {
                    let sub = format!("Sub {s}");
                    folder(&mut p, &format!("{own}/{sub}"), &sub, levels, n * 7 + s, 10);
                    top += 1;
                }
            }
        }
    }
    p.seed.push_str("my_documents:\n  folders:\n");
    for i in 0..(folders / 20).max(5) {
        let title = format!("Doc {i:03}");
        folder(
            &mut p,
            &format!("@my/{title}"),
            &title,
            MY_DOCUMENTS_LEVELS,
            n + i,
            4,
        );
    }
    p
}

/// Folder titles: mostly plain, every 17th a tricky one, and two siblings titled alike.
fn folder_title(n: usize) -> String {
    if n % 17 == 3 {
        format!("{} {n}", TRICKY[(n / 17) % TRICKY.len()])
            .trim_end()
            .to_owned()
    } else if n % 29 == 5 || n % 29 == 6 {
        "Twin".to_owned()
    } else {
        format!("Folder {n:04}")
    }
}

/// One folder entry at `indent` spaces, with a link chosen by `n`.
fn folder(p: &mut RichPortal, path: &str, title: &str, levels: &[&str], n: usize, indent: usize) {
    let pad = " ".repeat(indent);
    p.folders += 1;
    let _ = writeln!(p.seed, "{pad}- title: {}", quote(title));
    // A third of the folders have no link at all.
    if n.is_multiple_of(3) {
        return;
    }
    let access = levels[n % levels.len()];
    let mut fields = vec![
        format!("access: {access}"),
        format!("title: {}", quote(&format!("Link {n}: {}", title.trim()))),
    ];
    // Twins share a path, so a password could not be told to belong to one of them.
    if n % 4 == 1 && !path.contains("Twin") {
        let password = format!("pw-{n:05}-Xq!");
        fields.push(format!("password: {}", quote(&password)));
        p.passwords.insert(path.to_owned(), password);
    }
    match n % 7 {
        1 => fields.push(format!(
            "expires: 2029-{:02}-{:02}T{:02}:{:02}:07Z",
            n % 12 + 1,
            n % 27 + 1,
            n % 24,
            n % 60
        )),
        // Expired: the portal keeps the link, flagged.
        2 => fields.push("expires: 2024-02-03T04:05:06Z".to_owned()),
        _ => {}
    }
    if n % 5 == 2 {
        fields.push("deny_download: true".to_owned());
    }
    if n % 6 == 4 {
        fields.push("internal: true".to_owned());
    }
    let _ = writeln!(p.seed, "{pad}  link: {{ {} }}", fields.join(", "));
}
