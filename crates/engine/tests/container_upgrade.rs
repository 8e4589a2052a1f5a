//! The upgrade service's log as container images write it (`dist_upgrade.log.N`).

use midtriage_engine::phase::Phase;
use midtriage_engine::{analyze, Catalogue, Context, FileKind, Input};

/// The upgrade log of a container image (`dist_upgrade.log.0`, as bmoers/docker-mid-server
/// issue #24 quotes it) is read as the upgrade service's log, in the file replacement.
#[test]
fn a_container_images_upgrade_log_is_the_upgrade_services() {
    let log = "09/05/22 08:34:34 (936)  |  INFO  |  /opt/agent/lib/log4j-core.jar cannot be deleted: /opt/agent/lib/log4j-core.jar (Permission denied)\n586706ms left to timeout for deleting files. Retrying in 1000ms...\n09/05/22 08:34:35 (937)  |  INFO  |  /opt/agent/lib/log4j-core.jar cannot be deleted: /opt/agent/lib/log4j-core.jar (Permission denied)\n585705ms left to timeout for deleting files. Retrying in 1000ms...\n";
    let input = Input {
        name: "dist_upgrade.log.0",
        bytes: log.as_bytes(),
        kind: None,
    };
    let a = analyze(Catalogue::builtin(), &[input], &Context::default());
    assert_eq!(a.files[0].kind, Some(FileKind::Upgrade));
    assert_eq!(a.phase.stopped_at, Some(Phase::FileReplacement));
    assert_eq!(a.findings[0].id, "file-delete-failed");
    assert_eq!(a.findings[0].evidence[0].line, 1);
    // Not a Windows lock: the files belong to another user, and the first thing the user
    // reads is the Linux fix.
    let ids: Vec<&str> = a.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["file-delete-failed", "insufficient-permissions"]);
    assert!(a.findings[0].resolution[0].starts_with("Read why on the evidence line. `Permission denied` (Linux, Unix) means the MID's user does not own the file"));
    assert!(a.findings[1].resolution[1].contains("chown -R"));
}
