//! The bad-input matrix, through the CLI in one run: every bad input gets one clear message
//! naming it, and every good one is still analysed, with the right line numbers.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::Compression;

const LINE: &[u8] = b"02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";

/// A ZIP of stored or deflated entries, as written by common tools.
fn zip(entries: &[(&str, Vec<u8>, bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data, deflated) in entries {
        let body = if *deflated {
            let mut d = DeflateEncoder::new(Vec::new(), Compression::best());
            d.write_all(data).unwrap();
            d.finish().unwrap()
        } else {
            data.clone()
        };
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
        out.extend_from_slice(&(if *deflated { 8u16 } else { 0 }).to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
    }
    out.extend_from_slice(b"PK\x01\x02");
    out
}

/// A rules file with one rule; `when` is the body of its `[[rule.when]]` table.
fn rules_file(id: &str, when: &str, fire: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nseverity = \"error\"\nkb = \"KB0596459\"\nstep = 4\n\
         summary = \"s\"\nresolution = [\"r\"]\n[[rule.when]]\n{when}\n[rule.samples]\nfire = [{fire:?}]\n\
         quiet = [\"nothing\"]\n"
    )
}

/// The item of the JSON list `list` whose `key` is `value`.
fn entry<'a>(
    a: &'a serde_json::Value,
    list: &str,
    key: &str,
    value: &str,
) -> &'a serde_json::Value {
    a[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {list} entry with {key} {value}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn every_bad_input_is_named_and_the_good_ones_are_still_analysed() {
    let dir = std::env::temp_dir().join(format!("midtriage-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let line = std::str::from_utf8(LINE).unwrap().trim_end();
    write(&dir, "empty.log", b"");
    write(
        &dir,
        "picture.log",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0",
    );
    write(
        &dir,
        "program.log",
        &[b"MZ\x90\0\x03\0\0\0".as_slice(), &[0u8; 512]].concat(),
    );
    write(
        &dir,
        "invalid-utf8.log",
        &[b"caf\xe9 \xff ".as_slice(), LINE].concat(),
    );
    let utf16: Vec<u8> = line.encode_utf16().flat_map(u16::to_le_bytes).collect();
    write(&dir, "utf16-nobom.log", &utf16);
    write(
        &dir,
        "mixed.log",
        &[b"a\r\nb\rc\n".as_slice(), line.as_bytes(), b"\r\nd\n"].concat(),
    );
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    for i in 0..2000 {
        match i % 200 {
            0 => writeln!(gz, "{line} ({i})").unwrap(),
            _ => writeln!(
                gz,
                "11/25/25 02:00:00 ({i}) ECCSender.1 Sending ecc_queue.{i}.xml"
            )
            .unwrap(),
        }
    }
    let mut gz = gz.finish().unwrap();
    gz.truncate(gz.len() / 2);
    write(&dir, "truncated.log.gz", &gz);
    let many: Vec<(String, Vec<u8>, bool)> = (0..10_000)
        .map(|i| (format!("logs/agent{i}.log"), b"x\n".to_vec(), false))
        .collect();
    let many: Vec<(&str, Vec<u8>, bool)> = many
        .iter()
        .map(|(n, d, z)| (n.as_str(), d.clone(), *z))
        .collect();
    write(&dir, "many.zip", &zip(&many));
    // 64 MiB of one repeated line in about 100 KB: refused once 16 MiB have come out.
    let noise = b"11/25/25 02:00:00 (000) ECCSender.1 Sending ecc_queue.xml to the instance\n";
    let bomb = noise.repeat((64 << 20) / noise.len());
    write(&dir, "bomb.zip", &zip(&[("agent0.log.0", bomb, true)]));
    let inner = zip(&[("agent0.log.0", LINE.to_vec(), false)]);
    write(&dir, "nested.zip", &zip(&[("inner.zip", inner, false)]));
    let mut long = vec![b'x'; 50 << 20];
    long.extend_from_slice(b" Could not authenticate user 'mid' on the ServiceNow instance");
    write(&dir, "one-line.log", &long);
    // 2 GiB of zeros, sparse on disk: refused as binary without being held.
    let huge = std::fs::File::create(dir.join("huge.log")).unwrap();
    huge.set_len(2 << 30).unwrap();
    write(
        &dir,
        "good.log",
        &[
            LINE,
            b"01/01/26 00:00:00 (1) Main site-specific marker 42\n",
        ]
        .concat(),
    );
    let bomb_config = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/hostile/entity-bomb-config.xml");
    write(
        &dir,
        "bomb-config.xml",
        &std::fs::read(bomb_config).unwrap(),
    );
    write(
        &dir,
        "malformed-config.xml",
        b"<?xml version=\"1.0\"?>\n<parameters>\n<parameter name=\"url\" value=\"https://acme.service-now.com/\"/>\n<parameter name=\"mid.instance.password\" value=\"Hunter2Pw\"\n<parameter name=\"x\" value=\"y\"/>\n",
    );
    let marker = "01/01/26 00:00:00 (1) Main site-specific marker 42";
    write(
        &dir,
        "site.toml",
        rules_file("site-marker", "any = [\"site-specific marker\"]", marker).as_bytes(),
    );
    write(
        &dir,
        "bad-regex.toml",
        rules_file("bad-regex", "any = [\"x\", { regex = '(unclosed' }]", "x").as_bytes(),
    );
    write(
        &dir,
        "unknown-key.toml",
        rules_file("unknown-key", "any = [\"x\"]\ncolour = \"red\"", "x").as_bytes(),
    );
    let monster = format!("any = [{{ regex = '{}' }}]", "a?".repeat(500_000));
    write(
        &dir,
        "huge-regex.toml",
        rules_file("huge-regex", &monster, "x").as_bytes(),
    );

    let names = [
        "empty.log",
        "picture.log",
        "program.log",
        "invalid-utf8.log",
        "utf16-nobom.log",
        "mixed.log",
        "truncated.log.gz",
        "many.zip",
        "bomb.zip",
        "nested.zip",
        "one-line.log",
        "huge.log",
        "missing.log",
        "good.log",
        "bomb-config.xml",
        "malformed-config.xml",
    ];
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_midtriage"))
            .current_dir(&dir)
            .args(["analyze", "--format", "json", "--threads", threads])
            .args([
                "--instance-version",
                "To\tState\n<b>\u{1}zz glide-nothing ü",
            ])
            .args(["--rules", "site.toml", "--rules", "bad-regex.toml"])
            .args(["--rules", "unknown-key.toml", "--rules", "huge-regex.toml"])
            .args(["--rules", "missing.toml"])
            .args(names)
            .output()
            .unwrap()
    };
    let out = run("4");
    // One file at a time gives the same output, to the byte.
    let alone = run("1");
    assert_eq!(
        (text(&alone.stdout), text(&alone.stderr)),
        (text(&out.stdout), text(&out.stderr)),
        "--threads 1 and --threads 4 differ"
    );
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = [
        "midtriage: empty.log: the file is empty",
        "midtriage: picture.log: not a text log: the file holds a PNG image",
        "midtriage: program.log: not a text log: the file holds a Windows executable",
        "midtriage: truncated.log.gz: the gzip data ends early",
        "midtriage: many.zip: only its first 500 log files were analysed; 9500 more were not",
        "midtriage: bomb.zip: refused: it expands more than 200 times",
        "midtriage: nested.zip: the ZIP archive holds no log files (1 other entries were skipped); archives inside it are not opened (inner.zip)",
        "midtriage: huge.log: not a text log",
        "midtriage: missing.log: cannot read",
        "midtriage: missing.toml: cannot read the rules file",
        "midtriage: missing.toml: these rules were not used (1 problem)",
        "midtriage: bad-regex.toml: rule `bad-regex`: field `when[0].any[1]`: invalid regex",
        "midtriage: bad-regex.toml: these rules were not used (1 problem); the analysis went on without them",
        "midtriage: unknown-key.toml: rule `unknown-key`: field `when[0].colour`: unknown key",
        "midtriage: unknown-key.toml: these rules were not used (1 problem)",
        "midtriage: huge-regex.toml: rule `huge-regex`: field `when[0].any[0]`: the regex is too large",
        "midtriage: huge-regex.toml: these rules were not used (1 problem)",
        "midtriage: instance version: `To",
    ];
    for e in expected {
        assert!(err.contains(e), "missing {e:?} in:\n{err}");
    }
    assert_eq!(
        err.lines().count(),
        expected.len(),
        "one line per problem:\n{err}"
    );

    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evidence: Vec<String> = entry(&a, "findings", "id", "auth-failed")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
        .collect();
    for want in [
        "good.log:1",
        "mixed.log:4",
        "utf16-nobom.log:1",
        "invalid-utf8.log:1",
        "one-line.log:1",
        "truncated.log:1",
    ] {
        assert!(
            evidence.iter().any(|e| e == want),
            "{want} not in {evidence:?}"
        );
    }
    let file = |name: &str| entry(&a, "files", "name", name);
    assert_eq!(
        file("invalid-utf8.log")["encoding"],
        "utf8-with-windows1252"
    );
    assert_eq!(file("utf16-nobom.log")["encoding"], "utf16-le");
    assert_eq!(file("mixed.log")["lines"], 5);

    // The good rules file was used alongside the built-in rules.
    let site = entry(&a, "findings", "id", "site-marker");
    assert_eq!(site["evidence"][0]["file"], "good.log");
    assert_eq!(site["evidence"][0]["line"], 2);
    let used: Vec<(String, u64, bool)> = a["rules_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["name"].as_str().unwrap().to_string();
            (
                name,
                r["rules"].as_u64().unwrap(),
                r["used"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("site.toml", 1, true),
        ("bad-regex.toml", 0, false),
        ("unknown-key.toml", 0, false),
        ("huge-regex.toml", 0, false),
        ("missing.toml", 0, false),
    ];
    let want: Vec<(String, u64, bool)> = want
        .iter()
        .map(|(n, r, u)| (n.to_string(), *r, *u))
        .collect();
    assert_eq!(used, want);
    // Hostile and malformed config.xml: reported in the analysis, nothing expanded or shown.
    let config = |name: &str| entry(&a, "config", "file", name);
    let issues = |name: &str| config(name)["issues"].to_string();
    assert!(issues("bomb-config.xml").contains("declares a DTD"));
    assert!(issues("bomb-config.xml").contains("does not expand"));
    assert!(
        issues("malformed-config.xml").contains("line 4")
            || config("malformed-config.xml")["issues"][0]["line"] == 4
    );
    assert_eq!(
        config("malformed-config.xml")["host"],
        "acme.service-now.com"
    );
    let all = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    for never in ["Hunter2Pw", "lollollol", "SecretTail"] {
        assert!(!all.contains(never), "{never} is in the output");
    }
    std::fs::remove_dir_all(&dir).ok();
}
