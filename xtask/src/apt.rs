//! Debian and Ubuntu: which packages dpkg has, and the apt-get commands that
//! install the rest: run as root, through sudo, or printed for someone who
//! can.

use std::collections::HashSet;
use std::path::Path;

use crate::cmd::{self, Cmd, Failure};
use crate::probe;

/// Whether this system installs with apt (both tools are needed: dpkg
/// answers what is there, apt-get fetches what is not).
pub fn available() -> bool {
    probe::on_path("dpkg-query") && probe::on_path("apt-get")
}

/// Which of `names` dpkg has installed, in one `dpkg-query` call.
pub fn installed(names: &[&str], root: &Path) -> HashSet<String> {
    let query = Cmd::new("dpkg-query", &["-W", "-f=${Package} ${Status}\n"]).args(names);
    cmd::query(&query, root).map_or_else(HashSet::new, |out| parse_installed(&out))
}

/// dpkg-query's `PACKAGE STATUS` lines: a package counts as there only when
/// its status is "install ok installed" (not "deinstall ok config-files"
/// after a remove, nor "unknown ok not-installed").
pub fn parse_installed(out: &str) -> HashSet<String> {
    out.lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, status)| status.trim() == "install ok installed")
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// How apt-get can be run here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    Root,
    Sudo,
    /// Not root and no sudo: the commands are printed for someone who is.
    Neither,
}

/// Asked only once something is to be installed (`id -u`: no library
/// needed, and it works on every Unix).
pub fn privilege(root: &Path) -> Privilege {
    let uid = cmd::query(&Cmd::new("id", &["-u"]), root);
    if uid.is_some_and(|uid| uid.trim() == "0") {
        Privilege::Root
    } else if probe::on_path("sudo") {
        Privilege::Sudo
    } else {
        Privilege::Neither
    }
}

/// `apt-get ARGS` without questions. Through sudo the variable goes on
/// sudo's command line, as sudo clears the environment it was given.
fn apt_get(how: Privilege, args: &[&str]) -> Cmd {
    match how {
        Privilege::Sudo => {
            Cmd::new("sudo", &["DEBIAN_FRONTEND=noninteractive", "apt-get"]).args(args)
        }
        Privilege::Root | Privilege::Neither => {
            Cmd::new("apt-get", args).env("DEBIAN_FRONTEND", "noninteractive")
        }
    }
}

/// `apt-get update` (first time only), then the install.
pub fn commands(how: Privilege, packages: &[&str], updated: bool) -> Vec<Cmd> {
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    let update = (!updated).then(|| apt_get(how, &["update"]));
    update.into_iter().chain([apt_get(how, &install)]).collect()
}

/// Installs through apt-get, updating the package lists once per run.
pub struct Apt<'a> {
    root: &'a Path,
    how: Option<Privilege>,
    updated: bool,
}

impl<'a> Apt<'a> {
    pub fn new(root: &'a Path) -> Apt<'a> {
        Apt {
            root,
            how: None,
            updated: false,
        }
    }

    pub fn install(&mut self, packages: &[&str]) -> Result<(), Failure> {
        let root = self.root;
        let how = *self.how.get_or_insert_with(|| privilege(root));
        let commands = commands(how, packages, self.updated);
        if how == Privilege::Neither {
            return Err(not_privileged(&commands));
        }
        for command in &commands {
            cmd::run(command, self.root)?;
        }
        self.updated = true;
        Ok(())
    }
}

fn not_privileged(commands: &[Cmd]) -> Failure {
    let lines: Vec<String> = commands.iter().map(|c| format!("  {c}")).collect();
    Failure::new(
        format!(
            "installing needs root, and this is not root and has no sudo; as root, run:\n{}",
            lines.join("\n")
        ),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(how: Privilege, updated: bool) -> Vec<String> {
        commands(how, &["cmake", "clang"], updated)
            .iter()
            .map(Cmd::to_string)
            .collect()
    }

    #[test]
    fn root_runs_apt_get_itself() {
        assert_eq!(
            lines(Privilege::Root, false),
            [
                "DEBIAN_FRONTEND=noninteractive apt-get update",
                "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake clang",
            ]
        );
    }

    #[test]
    fn others_go_through_sudo_with_the_variable_on_its_command_line() {
        let sudo = commands(Privilege::Sudo, &["cmake"], false);
        assert_eq!(sudo[0].program, "sudo");
        assert!(sudo.iter().all(|c| c.env.is_empty()));
        assert_eq!(
            lines(Privilege::Sudo, false),
            [
                "sudo DEBIAN_FRONTEND=noninteractive apt-get update",
                "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake clang",
            ]
        );
    }

    #[test]
    fn without_root_or_sudo_the_commands_are_printed_not_run() {
        let commands = commands(Privilege::Neither, &["cmake", "clang"], false);
        let failure = not_privileged(&commands);
        assert_eq!(failure.code, 1);
        assert!(
            failure.message.ends_with(
                "as root, run:\n  DEBIAN_FRONTEND=noninteractive apt-get update\n  \
                 DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake clang"
            ),
            "{}",
            failure.message
        );
    }

    #[test]
    fn the_lists_are_updated_once() {
        assert_eq!(lines(Privilege::Root, true).len(), 1);
        assert!(lines(Privilege::Root, true)[0].contains("apt-get install"));
    }

    #[test]
    fn only_installed_packages_count() {
        let out = "cmake install ok installed\n\
                   npm unknown ok not-installed\n\
                   clang deinstall ok config-files\n\
                   libgomp1 install ok installed\n";
        let got = parse_installed(out);
        assert_eq!(got.len(), 2);
        assert!(got.contains("cmake") && got.contains("libgomp1"));
    }
}
