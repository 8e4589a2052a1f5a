//! A reproducible synthetic agent log: a realistic mix of legacy agent-log lines (monitors,
//! ECC traffic, stack traces) with known upgrade incidents planted at known places.
#![allow(dead_code)]

/// Lines of ordinary MID Server activity; `{n}` is replaced by a counter.
const NOISE: &[&str] = &[
    "ECCSender.1 Sending ecc_queue.{n}.xml",
    "ECCQueueMonitor.40 Polling for work, 0 items in queue",
    "Worker-Standard:MIDWorker-{n} Worker starting: Powershell source: 10.0.{n}.7",
    "Worker-Standard:MIDWorker-{n} Worker completed: Powershell source: 10.0.{n}.7 time: 0:00:01.204",
    "StatusMonitor.600 MID Server status: threads=42 memory=512MB/1024MB",
    "RefreshMonitor.65 Refreshing file sync from instance",
    "FileSyncer.1 File sync complete: 0 files changed",
    "Worker-Expedited:MIDWorker-{n} WARNING *** WARNING *** Probe timed out after 60000 ms, retrying",
    "EventBulkSenderThread-1 the event sender was stopped after sending {n} events in 3 bulks.",
    "ECCQueueMonitor.40 DEBUG: Processing ecc_queue.{n} topic=commandPipeline state=ready",
];

const STACK: &[&str] = &[
    "Worker-Standard:MIDWorker-{n} SEVERE *** ERROR *** Probe failed: java.io.IOException: connection reset by peer",
    "java.io.IOException: connection reset by peer",
    "\tat com.service_now.mid.probe.Probe.run(Probe.java:212)",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
];

/// Incidents planted once every `INCIDENT_EVERY` lines, cycling.
const INCIDENTS: &[&str] = &[
    "AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server",
    "StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid.user' on the ServiceNow instance",
    "AutoUpgrade.3600 Performing pre-upgrade validation tests.",
    "StartupSequencer SEVERE *** ERROR *** Unable to load keystore: Unexpected IOException loading KeyStore, caused by: Keystore was tampered with, or password was incorrect",
];

/// How often an incident line is planted.
pub const INCIDENT_EVERY: usize = 50_000;

/// A small deterministic generator (xorshift), so the output is the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Generates at least `bytes` bytes of agent log from `seed`.
pub fn agent_log(bytes: usize, seed: u64) -> Vec<u8> {
    use std::io::Write;
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(bytes + 256);
    let (mut line, mut secs) = (0usize, 0u64);
    while out.len() < bytes {
        secs += rng.next() % 3;
        let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        let day = 1 + (secs / 86_400) % 28;
        let ms = rng.next() % 1000;
        let prefix = format!("11/{day:02}/25 {h:02}:{m:02}:{s:02} ({ms:03}) ");
        line += 1;
        let n = rng.next() % 100_000;
        if line % INCIDENT_EVERY == 0 {
            let incident = INCIDENTS[(line / INCIDENT_EVERY) % INCIDENTS.len()];
            writeln!(out, "{prefix}{incident}").ok();
        } else if rng.next() % 50 == 0 {
            writeln!(out, "{prefix}{}", STACK[0].replace("{n}", &n.to_string())).ok();
            for frame in &STACK[1..] {
                writeln!(out, "{frame}").ok();
            }
        } else {
            let pick = NOISE[(rng.next() % NOISE.len() as u64) as usize];
            writeln!(out, "{prefix}{}", pick.replace("{n}", &n.to_string())).ok();
        }
    }
    out
}
