//! The environment variables `export --passwords env` names, one per link password.
//!
//! The rule (README, "export"): the manifest's password prefix (`DOCSPACE_LINK_`, or
//! the one `DOCSPACE_LINKS_PASSWORD_PREFIX` sets) and the folder's path in upper
//! snake case: ASCII letters and digits upper-cased, every other run of characters
//! one `_`, `@my/` as `MY_`, nothing at either end; a path with no ASCII letter or
//! digit at all is `FOLDER_<id>`. When two folders come to the same name, the one
//! with the lowest id keeps it and every other one gets `_<id>` appended: ids never
//! change, so a name does not move to another folder when folders are added.
//! A name an existing manifest already gives the folder is kept (when it has the prefix).

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::FolderPath;

/// The base name of a folder's password variable, before collisions.
pub fn base_name(path: &FolderPath, id: u64, prefix: &str) -> String {
    let mut text = String::new();
    if path.my_documents {
        text.push_str("MY/");
    }
    text.push_str(&path.segments.join("/"));
    let mut snake = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            snake.push(c.to_ascii_uppercase());
        } else if !snake.is_empty() && !snake.ends_with('_') {
            snake.push('_');
        }
    }
    let snake = snake.trim_end_matches('_');
    let has_name = !snake.is_empty() && snake != "MY";
    if has_name {
        format!("{prefix}{snake}")
    } else {
        format!("{prefix}FOLDER_{id}")
    }
}

/// One name per folder, all different. `keep` holds names an existing manifest
/// already gives some folders (by id); they win over derived ones.
pub fn assign(
    folders: &[(u64, &FolderPath)],
    keep: &HashMap<u64, String>,
    prefix: &str,
) -> HashMap<u64, String> {
    let mut names: HashMap<u64, String> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for (id, _) in folders {
        if let Some(name) = keep.get(id)
            && name.starts_with(prefix)
            && taken.insert(name.clone())
        {
            names.insert(*id, name.clone());
        }
    }
    let mut by_base: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (id, path) in folders {
        if !names.contains_key(id) {
            by_base
                .entry(base_name(path, *id, prefix))
                .or_default()
                .push(*id);
        }
    }
    for (base, mut ids) in by_base {
        ids.sort_unstable();
        for (i, id) in ids.into_iter().enumerate() {
            let mut name = if i == 0 && !taken.contains(&base) {
                base.clone()
            } else {
                format!("{base}_{id}")
            };
            // A folder may itself be titled like another's suffixed name.
            while taken.contains(&name) {
                name.push('_');
            }
            taken.insert(name.clone());
            names.insert(id, name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "DOCSPACE_LINK_";

    fn path(text: &str) -> FolderPath {
        match text.strip_prefix("@my/") {
            Some(rest) => FolderPath {
                my_documents: true,
                segments: rest.split('/').map(str::to_owned).collect(),
            },
            None => FolderPath {
                my_documents: false,
                segments: text.split('/').map(str::to_owned).collect(),
            },
        }
    }

    #[test]
    fn names_follow_the_path() {
        assert_eq!(
            base_name(&path("Marketing/Press kit"), 1, P),
            "DOCSPACE_LINK_MARKETING_PRESS_KIT"
        );
        assert_eq!(
            base_name(&path("@my/Drafts"), 1, P),
            "DOCSPACE_LINK_MY_DRAFTS"
        );
        assert_eq!(
            base_name(&path("Q1 — report (v2)/ x "), 1, P),
            "DOCSPACE_LINK_Q1_REPORT_V2_X"
        );
        assert_eq!(
            base_name(&path("Новости"), 42, P),
            "DOCSPACE_LINK_FOLDER_42"
        );
        assert_eq!(
            base_name(&path("@my/Новости"), 43, P),
            "DOCSPACE_LINK_FOLDER_43"
        );
    }

    #[test]
    fn collisions_get_the_id_and_the_oldest_folder_keeps_the_name() {
        let (a, b, c) = (path("Sales/Q1"), path("Sales/q1"), path("Sales/Q1_7"));
        let names = assign(&[(9, &a), (7, &b), (3, &c)], &HashMap::new(), P);
        assert_eq!(names[&7], "DOCSPACE_LINK_SALES_Q1");
        assert_eq!(names[&9], "DOCSPACE_LINK_SALES_Q1_9");
        assert_eq!(names[&3], "DOCSPACE_LINK_SALES_Q1_7");
        let all: HashSet<&String> = names.values().collect();
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn a_suffixed_name_never_collides_with_a_folder_titled_like_it() {
        // "Q1 7" gives ..._Q1_7, the same as the suffixed name of a second "Q1" with id 7.
        let (a, b, c) = (path("Q1"), path("q1"), path("Q1 7"));
        let names = assign(&[(1, &a), (7, &b), (5, &c)], &HashMap::new(), P);
        let all: HashSet<&String> = names.values().collect();
        assert_eq!(all.len(), 3, "{names:?}");
    }

    #[test]
    fn names_take_the_configured_prefix() {
        assert_eq!(base_name(&path("Kit"), 1, "CI_LINK_"), "CI_LINK_KIT");
    }

    #[test]
    fn names_already_in_the_manifest_are_kept() {
        let a = path("Marketing/Press kit");
        let keep = HashMap::from([
            (5, "DOCSPACE_LINK_KIT".to_owned()),
            (6, "PRESS_KIT_PASSWORD".to_owned()),
        ]);
        let b = path("Marketing/Brand");
        let names = assign(&[(5, &a), (6, &b)], &keep, P);
        assert_eq!(names[&5], "DOCSPACE_LINK_KIT");
        assert_eq!(
            names[&6], "DOCSPACE_LINK_MARKETING_BRAND",
            "only names that follow the rule"
        );
    }
}
