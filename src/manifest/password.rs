//! Link passwords: where a reference may point, and the portal's password policy,
//! checked before anything is sent. Messages name where a password comes from,
//! never the password.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use super::Environment;
use super::diagnostic::Code;
use super::raw::RawPassword;
use crate::model::{DesiredPassword, PasswordRef, Secrets};

/// The portal's password policy (docspace-api.md 2.3): the default minimum, and a hard
/// maximum that no portal setting raises.
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 30;

/// A password variable must start with this unless `PREFIX_VARIABLE` says otherwise.
/// A manifest is reviewed as a pull request; without a rule, such a request could turn
/// any CI secret into a link password, which the portal then shows in clear to
/// everyone the link is shared with.
pub const DEFAULT_PREFIX: &str = "DOCSPACE_LINK_";
/// Sets the required prefix; empty lifts the rule (the API key stays refused).
pub const PREFIX_VARIABLE: &str = "DOCSPACE_LINKS_PASSWORD_PREFIX";

const FORMS: &str = "reference the password instead: `password: { env: NAME }` (an environment variable, e.g. a CI secret) or `password: { file: path }` (relative to the manifest, kept out of git); `password: false` means the link must have none";

pub type Problem = (Code, String, String);

pub fn resolve(
    raw: &RawPassword,
    env: &Environment,
    secrets: &mut Secrets,
) -> Result<DesiredPassword, Problem> {
    let (secret, origin, reference) = match raw {
        RawPassword::Off => return Ok(DesiredPassword::None),
        RawPassword::On => {
            return Err((
                Code::PasswordReference,
                "`password: true` does not say which password".to_owned(),
                FORMS.to_owned(),
            ));
        }
        RawPassword::Literal => {
            return Err((
                Code::LiteralPassword,
                "a password cannot be written in the manifest: secrets do not belong in git"
                    .to_owned(),
                FORMS.to_owned(),
            ));
        }
        RawPassword::Env(name) if name.trim().is_empty() => {
            return Err((
                Code::PasswordReference,
                "`env` needs the name of an environment variable".to_owned(),
                FORMS.to_owned(),
            ));
        }
        RawPassword::Env(name) => {
            allowed(name, env)?;
            match (env.var)(name) {
                Some(v) => (
                    SecretString::from(v),
                    format!("environment variable {name}"),
                    PasswordRef::Env(name.clone()),
                ),
                None => {
                    return Err((
                        Code::PasswordUnavailable,
                        format!("environment variable {name} is not set"),
                        format!("set {name} before running (in CI, from the secret store)"),
                    ));
                }
            }
        }
        RawPassword::File(file) => {
            let path = env.base_dir.join(file);
            match read_secret_file(&path) {
                Ok(secret) => (
                    secret,
                    format!("file {}", path.display()),
                    PasswordRef::File(file.clone()),
                ),
                Err(e) => {
                    return Err((
                        Code::PasswordUnavailable,
                        format!("cannot read password file {}: {e}", path.display()),
                        "the path is relative to the manifest's directory".to_owned(),
                    ));
                }
            }
        }
    };
    policy(secret.expose_secret(), &origin)?;
    // The desired state keeps only the reference; the secret is filed apart.
    secrets.insert(reference.clone(), secret);
    Ok(DesiredPassword::Secret(reference))
}

/// The API key is never a link password; other variables need the allowed prefix.
fn allowed(name: &str, env: &Environment) -> Result<(), Problem> {
    if name == crate::model::TOKEN_VAR {
        return Err((
            Code::PasswordEnvForbidden,
            format!("{name} is the portal's API key and cannot be a link password"),
            "the portal shows a link's password in clear to everyone the link is shared with; reference a variable that holds only this password".to_owned(),
        ));
    }
    let prefix = (env.var)(PREFIX_VARIABLE).unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
    if !name.starts_with(&prefix) {
        return Err((
            Code::PasswordEnvForbidden,
            format!("the password variable {name} does not start with {prefix}"),
            format!(
                "password variables must start with {prefix}, so a manifest cannot turn another secret into a link password the portal shows in clear; rename it (e.g. {prefix}{name}), or set {PREFIX_VARIABLE} to the prefix you use (empty allows any variable)"
            ),
        ));
    }
    Ok(())
}

/// What the portal accepts (docspace-api.md 2.3). Whitespace at either end gets its own
/// message: the portal trims passwords on update, so the link would end up with another
/// password than the one configured, and every later run would see a difference.
fn policy(password: &str, origin: &str) -> Result<(), Problem> {
    let problem =
        |message: String, help: &str| Err((Code::PasswordPolicy, message, help.to_owned()));
    if password.is_empty() {
        return problem(
            format!("the password from {origin} is empty"),
            "a link without a password is written `password: false`",
        );
    }
    if password.trim() != password {
        let what = if password.ends_with(['\n', '\r']) {
            "ends with a line break"
        } else {
            "starts or ends with whitespace"
        };
        return problem(
            format!("the password from {origin} {what}"),
            "the portal trims passwords when it saves them, so the link would get a different password; remove the whitespace (a password file may end with a single newline)",
        );
    }
    if !password.bytes().all(|b| b.is_ascii_graphic()) {
        return problem(
            format!(
                "the password from {origin} has a space or a character that is not printable ASCII"
            ),
            "the portal accepts only the printable ASCII characters ! to ~ in passwords: letters, digits and punctuation, no spaces, no accents",
        );
    }
    if password.len() < MIN_PASSWORD {
        return problem(
            format!("the password from {origin} is shorter than {MIN_PASSWORD} characters"),
            &format!(
                "the portal's default password policy refuses it (400 Bad Request); use at least {MIN_PASSWORD} characters"
            ),
        );
    }
    if password.len() > MAX_PASSWORD {
        return problem(
            format!("the password from {origin} is longer than {MAX_PASSWORD} characters"),
            &format!(
                "the portal refuses passwords over {MAX_PASSWORD} characters (400 Bad Request)"
            ),
        );
    }
    Ok(())
}

/// The file's text without one trailing newline (LF or CR LF), wrapped before anything
/// else sees it.
///
/// Only a regular file of at most 1 KiB is read (`input::PASSWORD_FILE`): the
/// reference is manifest text anyone may propose, and a FIFO or a device must
/// neither block the run nor be read without end. The errors never hold content.
fn read_secret_file(path: &Path) -> Result<SecretString, String> {
    let text = crate::input::read_text(path, crate::input::PASSWORD_FILE).map_err(|e| match e {
        // The kind alone ("entity not found"): the OS's words add a code, no sense.
        crate::input::InputError::Io(e) => e.kind().to_string(),
        e => e.to_string(),
    })?;
    let secret = SecretString::from(text);
    let value = secret.expose_secret();
    let trimmed = value
        .strip_suffix('\n')
        .map_or(value, |t| t.strip_suffix('\r').unwrap_or(t));
    Ok(SecretString::from(trimmed.to_owned()))
}
