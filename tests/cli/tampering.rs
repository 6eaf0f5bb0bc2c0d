//! Saved plans as an attack surface (issue 19): a plan file travels between jobs as
//! an artifact, so every field of it may have been edited. Apply holds the file to
//! a plan made now from the same manifest, takes facts about the portal from its
//! own run only, and refuses the whole file (exit 4, nothing written) on any edit.

use axum::http::Method;
use serde_json::{Value, json};

use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, SEED, hidden_passwords};

pub(crate) const MANIFEST: &str = r#"
version: 1
folders:
  - path: Marketing/Press kit
    link: { title: Press kit }
  - path: Marketing/Archive
    link: { title: Archive }
  - path: Marketing/Brand assets
    link: { access: read, password: { env: DOCSPACE_LINK_BRAND } }
  - path: "@my/Old projects"
    link: absent
"#;

pub(crate) const ENV: [(&str, &str); 1] = [("DOCSPACE_LINK_BRAND", "brand-pass-5531")];

pub(crate) fn save(portal: &Portal, manifest: &str, args: &[&str]) {
    portal.write("links.yaml", manifest);
    let mut all = vec!["plan", "-f", "links.yaml", "--out", "plan.json"];
    all.extend_from_slice(args);
    let out = portal.run_env(&all, &ENV);
    assert!(out.code == 0 || out.code == 4, "{}", out.all());
}

pub(crate) fn edit(portal: &Portal, f: impl FnOnce(&mut Value)) {
    let path = portal.dir().join("plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut plan);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
}

fn item<'a>(plan: &'a mut Value, path: &str) -> &'a mut Value {
    plan["plan"]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["path"] == path)
        .unwrap()
}

/// Applies the saved plan and checks that it was refused as a whole, saying `why`,
/// with nothing written.
async fn refused(portal: &Portal, args: &[&str], why: &[&str]) {
    let before = portal.writes().await;
    let mut all = vec!["apply", "--plan", "plan.json", "--yes"];
    all.extend_from_slice(args);
    let out = portal.run_env(&all, &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    for w in why {
        assert!(out.stderr.contains(w), "missing {w:?} in: {}", out.stderr);
    }
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    assert_eq!(portal.writes().await, before, "nothing is written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_sent_to_another_folder_is_refused_as_a_whole() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    // The create carries the manifest's password: to folder 600, which no entry names.
    edit(&portal, |p| {
        item(p, "Marketing/Brand assets")["folder_id"] = json!(600)
    });
    refused(&portal, &[], &["Marketing/Brand assets", "`folder_id`"]).await;
    assert!(portal.primary("@my/Drafts").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_pointed_at_another_folders_link_is_refused_as_a_whole() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        let archive = item(p, "Marketing/Archive")["seen"][0]["target"].clone();
        let old = item(p, "@my/Old projects");
        old["folder_id"] = json!(103);
        old["action"]["links"][0]["target"] = archive.clone();
        old["seen"][0]["target"] = archive;
    });
    refused(&portal, &[], &["@my/Old projects", "`folder_id`"]).await;
    assert!(portal.primary("Marketing/Archive").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_actions_are_refused_as_a_whole_not_per_folder() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    // A swapped link id: the update would go to the Archive's link.
    edit(&portal, |p| {
        let archive = item(p, "Marketing/Archive")["action"]["target"].clone();
        item(p, "Marketing/Press kit")["action"]["target"] = archive;
    });
    refused(
        &portal,
        &[],
        &["Marketing/Press kit", "`action.target.link_id`"],
    )
    .await;

    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        item(p, "Marketing/Archive")["action"]["changes"][0]["new"] = json!({"text": "Hijacked"});
    });
    refused(
        &portal,
        &[],
        &["Marketing/Archive", "`action.changes[0].new"],
    )
    .await;

    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        item(p, "Marketing/Archive")["action"] = json!({"action": "unchanged"});
    });
    refused(&portal, &[], &["Marketing/Archive", "`action"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_unknown_keys_and_a_future_date_are_refused() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    let path = portal.dir().join("plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let twice = text.replacen(
        '{',
        "{\n  \"portal\": \"https://elsewhere.example.com\",",
        1,
    );
    std::fs::write(&path, twice).unwrap();
    refused(&portal, &[], &["\"portal\" appears twice"]).await;

    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| p["plan"]["force"] = json!(true));
    refused(&portal, &[], &["unknown field `force`"]).await;

    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        item(p, "Marketing/Archive")["action"]["skip_check"] = json!(true);
    });
    refused(&portal, &[], &["unknown field `skip_check`"]).await;

    save(&portal, MANIFEST, &[]);
    let ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    edit(&portal, |p| p["created_at"] = json!(ahead.to_string()));
    refused(&portal, &["--max-age", "1h"], &["later than now"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whether_passwords_are_returned_is_never_taken_from_the_file() {
    // A release that hides passwords: an update that would copy one is refused in
    // the plan; flipping the file's flag does not make apply believe otherwise.
    let portal = Portal::start_with(SEED, hidden_passwords()).await;
    save(
        &portal,
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n",
        &[],
    );
    edit(&portal, |p| {
        p["plan"]["portal_echoes_passwords"] = json!(true)
    });
    refused(&portal, &[], &["stale", "passwords"]).await;
    let kit = portal.primary("Marketing/Press kit").await.unwrap();
    assert_eq!(kit["password"], "s3cret-pass");
}

/// The portal is upgraded between plan and apply (the approval wait) to a release
/// that no longer returns passwords; `upgraded` flips what the proxy says.
async fn upgraded_portal(
    portal: &Portal,
) -> (Proxy, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let upgraded = std::sync::Arc::new(AtomicBool::new(false));
    let flag = upgraded.clone();
    let proxy = Proxy::answering(portal.url(), move |method, path, _| {
        let now = flag.load(Ordering::SeqCst);
        async move {
            match (now, method, path.as_str()) {
                (true, Method::GET, "/api/2.0/settings/version/build") => Answer::Instead(
                    200,
                    r#"{"response":{"docSpace":"99.1.0.1","documentServer":null},"count":1,"status":0,"statusCode":200}"#.into(),
                ),
                (true, Method::GET, p) if p.ends_with("/links") => Answer::Edit(strip_passwords),
                _ => Answer::Forward,
            }
        }
    })
    .await;
    (proxy, upgraded)
}

fn strip_passwords(body: String) -> String {
    let mut v: Value = serde_json::from_str(&body).unwrap();
    if let Some(links) = v["response"].as_array_mut() {
        for l in links {
            for part in ["sharedTo", "sharedLink"] {
                if let Some(o) = l[part].as_object_mut() {
                    o.remove("password");
                }
            }
        }
    }
    v.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_made_while_passwords_were_returned_drops_none_after_an_upgrade() {
    use std::sync::atomic::Ordering;
    let portal = Portal::start(SEED).await;
    let (proxy, upgraded) = upgraded_portal(&portal).await;
    // Press kit has a password the manifest leaves unmanaged: the update copies it.
    let manifest =
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { title: Press kit }\n";
    portal.write("links.yaml", manifest);
    let out = portal.run_env(
        &[
            "plan",
            "-f",
            "links.yaml",
            "--out",
            "plan.json",
            "--portal",
            &proxy.url,
        ],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    upgraded.store(true, Ordering::SeqCst);
    refused(
        &portal,
        &["--portal", &proxy.url],
        &["stale", "3.7.2.1", "99.1.0.1"],
    )
    .await;
    assert_eq!(
        portal.primary("Marketing/Press kit").await.unwrap()["password"],
        "s3cret-pass"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_that_stops_being_returned_on_the_same_release_makes_the_folder_stale() {
    // A proxy strips passwords, the release still says 3.7.2: a missing `password`
    // reads as "none" there, so only what the plan saw keeps the update from
    // writing the link without its password.
    let portal = Portal::start(SEED).await;
    let strip = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = strip.clone();
    let proxy = Proxy::answering(portal.url(), move |method, path, _| {
        let on = flag.load(std::sync::atomic::Ordering::SeqCst);
        async move {
            if on && method == Method::GET && path.ends_with("/links") {
                Answer::Edit(strip_passwords)
            } else {
                Answer::Forward
            }
        }
    })
    .await;
    let manifest =
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { title: Press kit }\n";
    portal.write("links.yaml", manifest);
    let out = portal.run(&[
        "plan",
        "-f",
        "links.yaml",
        "--out",
        "plan.json",
        "--portal",
        &proxy.url,
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    strip.store(true, std::sync::atomic::Ordering::SeqCst);
    let out = portal.run(&[
        "apply",
        "--plan",
        "plan.json",
        "--yes",
        "--portal",
        &proxy.url,
    ]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(out.stdout.contains("without one"), "{}", out.stdout);
    let kit = portal.primary("Marketing/Press kit").await.unwrap();
    assert_eq!(kit["password"], "s3cret-pass");
    assert_eq!(kit["title"], "Old kit", "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_finds_its_manifest_from_another_directory() {
    let portal = Portal::start(SEED).await;
    std::fs::create_dir_all(portal.dir().join("repo")).unwrap();
    std::fs::create_dir_all(portal.dir().join("artifacts")).unwrap();
    std::fs::create_dir_all(portal.dir().join("job")).unwrap();
    portal.write("repo/links.yaml", MANIFEST);
    let out = portal.run_env(
        &[
            "plan",
            "-f",
            "repo/links.yaml",
            "--out",
            "artifacts/plan.json",
        ],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    // Another job, another working directory: the manifest is found beside the plan.
    let job = portal.dir().join("job");
    let out = portal.run_in(
        &job,
        &["apply", "--plan", "../artifacts/plan.json", "--yes"],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        portal.primary("Marketing/Archive").await.unwrap()["title"],
        "Archive"
    );

    // Moved away from it: the error names what was tried, and -f.
    let out = portal.run_env(
        &[
            "plan",
            "-f",
            "repo/links.yaml",
            "--out",
            "artifacts/plan.json",
        ],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    std::fs::rename(portal.dir().join("repo"), portal.dir().join("moved")).unwrap();
    let out = portal.run_in(
        &job,
        &["apply", "--plan", "../artifacts/plan.json", "--yes"],
        &ENV,
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("repo/links.yaml"), "{}", out.stderr);
    assert!(out.stderr.contains("-f FILE"), "{}", out.stderr);
    let out = portal.run_in(
        &job,
        &[
            "apply",
            "--plan",
            "../artifacts/plan.json",
            "--yes",
            "-f",
            "../moved/links.yaml",
        ],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
}
