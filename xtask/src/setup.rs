//! `setup run|test`: install what is missing and say what; when nothing is,
//! say so in one line and start no installer.

use std::path::Path;

use crate::apt::{self, Apt};
use crate::args::Need;
use crate::cmd::Failure;
use crate::packages::{self, NPM, Package};
use crate::{fetch, probe};

pub fn setup(need: Need, root: &Path) -> Result<(), Failure> {
    let mut changed = if apt::available() {
        with_apt(need, root)?
    } else {
        without_apt(need)?
    };
    if need == Need::Test {
        changed |= fetch::npm(root)?;
        changed |= fetch::wheels(root)?;
    }
    if !changed {
        eprintln!("setup: everything needed is installed");
    }
    Ok(())
}

/// Debian and Ubuntu: dpkg says what is there, apt-get installs the rest.
fn with_apt(need: Need, root: &Path) -> Result<bool, Failure> {
    let wanted = packages::needed(need);
    let installed = apt::installed(&packages::names(&wanted), root);
    let missing = packages::missing(&wanted, |p| installed.contains(p.name));
    let mut apt = Apt::new(root);
    if !missing.is_empty() {
        install(&mut apt, &missing)?;
    }
    // Only now is it known whether nodejs brought npm (see NPM).
    let npm = need == Need::Test && !probe::on_path("npm");
    if npm {
        install(&mut apt, &[&NPM])?;
    }
    Ok(!missing.is_empty() || npm)
}

fn install(apt: &mut Apt<'_>, packages: &[&Package]) -> Result<(), Failure> {
    for line in packages::announcement(packages) {
        eprintln!("{line}");
    }
    apt.install(&packages::names(packages))
}

/// Elsewhere xtask cannot know the package names, so it lists the Debian
/// ones and what each is for, and stops, unless everything looks present.
fn without_apt(need: Need) -> Result<bool, Failure> {
    let mut wanted = packages::needed(need);
    if need == Need::Test {
        wanted.push(&NPM);
    }
    let missing = packages::missing(&wanted, |p| probe::present(&p.probe));
    if missing.is_empty() {
        return Ok(false);
    }
    let lines = packages::listing(&missing);
    Err(Failure::new(
        format!(
            "this system has no dpkg-query and apt-get, so install these yourself \
             (Debian names, and what each is for), then run this again:\n{}",
            lines.join("\n")
        ),
        1,
    ))
}
