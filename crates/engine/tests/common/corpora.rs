//! Benchmark corpora that break the assumptions of `synth.rs`, each reproducible from a seed:
//!
//! - `chatty`: a healthy MID in the modern layout (Tokyo onward) whose every component talks:
//!   INFO and WARN chatter full of words the rule literals also use ("Unable to", "failed",
//!   "connect", certificates, keystores, `*.service-now.com` hosts and URLs), ECC payloads,
//!   and almost no failure.
//! - `storm`: a MID that cannot reach its instance, in the legacy layout: the start-up test
//!   fails, is retried every few seconds, and OCSP and connection warnings fill the rest. The
//!   sequence follows the lines KB0725881, KB0780900 and KB0744261 quote; about a third of the
//!   lines match a rule.
//! - `awkward`: UTF-16LE with a byte-order mark and CRLF line ends, ECC payloads on single
//!   lines of 64 KiB and more, and stack traces of a hundred frames with `Caused by:` chains.
#![allow(dead_code)]

use std::fmt::Write as _;

use super::synth::Rng;

/// The corpora by name, as `cargo xtask bench` and the `synth` example name them.
pub const NAMES: &[&str] = &["synthetic", "chatty", "storm", "awkward"];

/// At least `bytes` bytes of the corpus `name` from `seed`; `None` for an unknown name.
pub fn corpus(name: &str, bytes: usize, seed: u64) -> Option<Vec<u8>> {
    Some(match name {
        "synthetic" => super::synth::agent_log(bytes, seed),
        "chatty" => chatty(bytes, seed).into_bytes(),
        "storm" => storm(bytes, seed).into_bytes(),
        "awkward" => utf16le_crlf(&awkward(bytes / 2, seed)),
        _ => return None,
    })
}

/// Modern-layout chatter: `{n}` is a counter, `{h}` a host name, `{id}` a sys_id.
const CHATTER: &[(&str, &str, &str)] = &[
    ("INFO ", "ECCSender.1", "[ECCSender:231] Sending ecc_queue.{id}.xml to https://{h}.service-now.com/api/now/table/ecc_queue"),
    ("INFO ", "ECCQueueMonitor.1", "[ECCQueueMonitor:118] Polling https://{h}.service-now.com/ecc_queue.do?XML for work: 0 output records"),
    ("DEBUG", "ECCQueueMonitor.1", "[MIDSecPolicy:77] MIDSecPolicy: calculating security Policy to be applied on {h}.service-now.com"),
    ("INFO ", "Worker-Standard:MIDWorker-{id}", "[Worker:412] Worker starting: Powershell source: 10.20.{n}.14"),
    ("INFO ", "Worker-Standard:MIDWorker-{id}", "[Worker:498] Worker completed: Powershell source: 10.20.{n}.14 time: 0:00:02.118"),
    ("WARN ", "Worker-Standard:MIDWorker-{id}", "[WMIRunner:302] Unable to retrieve Win32_Service on 10.20.{n}.14: access to the namespace was not granted, continuing"),
    ("WARN ", "Worker-Expedited:MIDWorker-{id}", "[SSHClient:190] SSH login failed for user discovery on 10.30.{n}.2 (publickey), trying the next credential"),
    ("INFO ", "Worker-Expedited:MIDWorker-{id}", "[HTTPClient:710] Request sent to uri= https://{h}.service-now.com/api/sn_cmdb/instance : status 200"),
    ("INFO ", "StatusMonitor.600", "[StatusMonitor:140] MID Server status: threads=57 memory=741MB/2048MB cpu=3% connected to {h}.service-now.com"),
    ("INFO ", "RefreshMonitor.65", "[RefreshMonitor:88] Refreshing certificates: 3 certificate(s) in the keystore, none expiring within 30 days"),
    ("DEBUG", "SignatureValidationMonitor.1200", "[GlideSSLProtocolSocketFactory:412] Certificate chain for {h}.service-now.com validated (3 certificates)"),
    ("INFO ", "FileSyncer.1", "[FileSyncer:201] File sync complete: downloaded 0 of {n} attachments from https://{h}.service-now.com/sys_attachment.do"),
    ("WARN ", "FileSyncer.1", "[FileSyncer:244] Unable to read checksum of lib/custom-{n}.jar from the instance; it will be fetched again"),
    ("INFO ", "AutoUpgrade.3600", "[AutoUpgrade:157] Checking for upgrade: installed and assigned versions are the same, nothing to install"),
    ("DEBUG", "AutoUpgrade.3600", "[PackageDownloader:66] Package list from https://install.service-now.com/glide/distribution/builds/package/ is current"),
    ("INFO ", "ConnectionMonitor.30", "[ConnectionMonitor:95] Connection to {h}.service-now.com is healthy (latency {n} ms)"),
    ("WARN ", "ConnectionMonitor.30", "[HttpConnectionPool:318] Connection pool for {h}.service-now.com near its limit: 18 of 20 connections in use"),
    ("INFO ", "Worker-Interactive:MIDWorker-{id}", "[JDBCProbe:230] Query returned {n} rows in 41 ms from jdbc:sqlserver://db{n}.corp.example.com:1433"),
    ("WARN ", "Worker-Interactive:MIDWorker-{id}", "[ProbeRunner:77] Probe JDBCProbe failed to close its statement cleanly; the connection was reset and reused"),
    ("INFO ", "LogStatusMonitor.60", "[LogStatusMonitor:52] Log size is 12 MB of 100 MB; rotating agent0.log.0 at midnight"),
    ("DEBUG", "HostResourceMonitor.60", "[HostResourceMonitor:133] Disk space on C:\\ServiceNow\\agent: 48213 MB free; heap 741 MB of 2048 MB"),
    ("INFO ", "ECCQueueMonitor.1", "[ECCQueueMonitor:301] Processing output record {id} topic=Discovery state=ready name=OCSPStatusCheck"),
];

/// An ECC payload line, as the MID logs its SOAP and ECC traffic at DEBUG.
fn ecc_payload(rng: &mut Rng, out: &mut String, host: &str) {
    let _ = write!(
        out,
        "[ECCSender:412] Sending payload: <?xml version=\"1.0\" encoding=\"UTF-8\"?><results probe_time=\"{}\"><result command=\"powershell.exe\"><output>",
        rng.below(9000)
    );
    for _ in 0..4 + rng.below(12) {
        let _ = write!(
            out,
            "&lt;service name=&quot;svc{}&quot; state=&quot;Running&quot; url=&quot;https://{host}.service-now.com/x&quot;/&gt;",
            rng.below(1000)
        );
    }
    out.push_str("</output></result></results>");
}

/// Lower-case hex of `n` digits, as a sys_id is written.
fn hex(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        let _ = write!(s, "{:016x}", rng.next());
    }
    s.truncate(n);
    s
}

/// Day (from `first`, wrapping after `days`), hour, minute and second, `secs` after midnight.
fn clock(secs: u64, first: u64, days: u64) -> (u64, u64, u64, u64) {
    let day = first + secs / 86_400 % days;
    (day, secs / 3600 % 24, secs / 60 % 60, secs % 60)
}

/// A modern-layout time stamp `secs` after midnight of 2026-06-03.
fn modern_time(secs: u64, ms: u64) -> String {
    let (d, h, m, s) = clock(secs, 3, 25);
    format!("2026-06-{d:02}T{h:02}:{m:02}:{s:02}.{ms:03}-0400")
}

/// A legacy-layout time stamp `secs` after midnight of 02/06/19, with the `(NNN)` field.
fn legacy_time(secs: u64, ms: u64) -> String {
    let (d, h, m, s) = clock(secs, 6, 20);
    format!("02/{d:02}/19 {h:02}:{m:02}:{s:02} ({ms:03})")
}

/// The chatty corpus: at least `bytes` bytes.
pub fn chatty(bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let hosts = ["acme", "acmedev", "acme-uat", "globex-prod", "initech"];
    let mut out = String::with_capacity(bytes + 4096);
    let mut secs = 0u64;
    while out.len() < bytes {
        secs += rng.next() % 2;
        let time = modern_time(secs, rng.next() % 1000);
        let host = hosts[rng.below(hosts.len())];
        if rng.below(40) == 0 {
            let _ = write!(out, "{time} DEBUG (ECCSender.1) ");
            ecc_payload(&mut rng, &mut out, host);
            out.push('\n');
            continue;
        }
        chatter(&mut rng, &mut out, &time, host);
    }
    out
}

/// One line of chatter at `time`, naming `host`.
fn chatter(rng: &mut Rng, out: &mut String, time: &str, host: &str) {
    let (level, thread, message) = CHATTER[rng.below(CHATTER.len())];
    let n = rng.below(250).to_string();
    let id = hex(rng, 32);
    let fill = |s: &str| {
        s.replace("{n}", &n)
            .replace("{id}", &id)
            .replace("{h}", host)
    };
    let _ = writeln!(out, "{time} {level} ({}) {}", fill(thread), fill(message));
}

/// One failed start-up test of a MID that cannot reach its instance (legacy layout). Lines
/// after the first `\n` in an entry are continuation lines without a time stamp.
const STORM: &[&str] = &[
    "StartupSequencer Testing connection to https://{h}.service-now.com/",
    "StartupSequencer WARNING *** WARNING *** java.net.SocketTimeoutException: connect timed out when posting to https://{h}.service-now.com/InstanceInfo.do?SOAP",
    "StartupSequencer SOAP Request: <SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body><getInstanceInfo/></SOAP-ENV:Body></SOAP-ENV:Envelope>",
    "StartupSequencer SEVERE *** ERROR *** SOAP Response: Status code=0, Response body=null",
    "StartupSequencer SEVERE *** ERROR *** Problem invoking InstanceInfo on https://{h}.service-now.com/: Please check that the InstanceInfo page exists in the sys_public table and active=\"true\".",
    "StartupSequencer SEVERE *** ERROR *** java.net.SocketTimeoutException: connect timed out when posting to https://{h}.service-now.com/InstanceInfo.do?SOAP\n(Network Configuration issue) Please check that the MID server can ping the instance: https://{h}.service-now.com/\nYou may also need to configure the network that the MID server uses to allow traffic over TCP port 443.",
    "StartupSequencer SEVERE *** ERROR *** test failure\njava.lang.IllegalStateException: Unable to connect to instance.\nat com.service_now.mid.services.StartupSequencer.runTests(StartupSequencer.java:328)\nat com.service_now.mid.services.StartupSequencer$Starter.run(StartupSequencer.java:291)",
    "StartupSequencer WARNING *** WARNING *** OCSPCheck authority: http://ocsp.entrust.net, error: java.net.ConnectException: Connection timed out: connect",
    "StartupSequencer WARNING *** WARNING *** Request not sent to uri= https://{h}.service-now.com/InstanceInfo.do?SOAP : org.apache.commons.httpclient.HttpException: Connection timed out: connect *.service-now.com",
    "StartupSequencer WARNING *** WARNING *** ConnectTimeoutException: The host did not accept the connection within timeout of 10000 ms when posting to https://{h}.service-now.com/InstanceInfo.do?SOAP",
    "StartupSequencer Waiting 30 seconds before the next connection test",
    "ECCQueueMonitor.1 WARNING *** WARNING *** OCSP revoke check IOException for *.service-now.com",
    "StatusMonitor.600 MID Server status: threads=12 memory=201MB/1024MB",
    "RefreshMonitor.65 Refreshing file sync from instance",
];

/// The storm corpus: at least `bytes` bytes.
pub fn storm(bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::with_capacity(bytes + 4096);
    let mut secs = 0u64;
    while out.len() < bytes {
        for entry in STORM {
            // A few entries are skipped now and then, as real retries differ.
            if rng.below(8) == 0 {
                continue;
            }
            secs += rng.next() % 3;
            let mut lines = entry.split('\n');
            let first = lines.next().unwrap_or_default().replace("{h}", "acme");
            let _ = writeln!(out, "{} {first}", legacy_time(secs, rng.next() % 1000));
            for more in lines {
                let _ = writeln!(out, "{}", more.replace("{h}", "acme"));
            }
        }
    }
    out
}

/// The awkward corpus before encoding: at least `bytes` characters.
pub fn awkward(bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::with_capacity(bytes + (1 << 17));
    let mut secs = 0u64;
    while out.len() < bytes {
        secs += rng.next() % 3;
        let time = modern_time(secs, rng.next() % 1000);
        match rng.below(50) {
            0 => {
                // One ECC payload on a single line of 64 KiB or more.
                let _ = write!(out, "{time} DEBUG (ECCSender.1) ");
                let target = out.len() + (64 << 10) + rng.below(64 << 10);
                while out.len() < target {
                    ecc_payload(&mut rng, &mut out, "acme");
                }
                out.push('\n');
            }
            1 => {
                // A long trace with a chain of causes.
                let _ = writeln!(
                    out,
                    "{time} ERROR (Worker-Standard:MIDWorker-{}) [ProbeRunner:131] Probe failed",
                    hex(&mut rng, 32)
                );
                for cause in 0..3 {
                    if cause > 0 {
                        out.push_str("Caused by: ");
                    }
                    out.push_str(
                        "java.io.IOException: stream closed while reading the probe result\n",
                    );
                    for f in 0..30 + rng.below(20) {
                        let _ = writeln!(
                            out,
                            "\tat com.snc.discovery.probe.Layer{f}.invoke(Layer{f}.java:{})",
                            rng.below(900)
                        );
                    }
                }
            }
            _ => chatter(&mut rng, &mut out, &time, "acme"),
        }
    }
    out
}

/// `text` as UTF-16LE with a byte-order mark and CRLF line ends.
fn utf16le_crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2 + 64);
    out.extend_from_slice(&[0xff, 0xfe]);
    for unit in text.replace('\n', "\r\n").encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}
