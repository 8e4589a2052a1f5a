//! ServiceNow version strings: Upgrade History "To" values, build tags, MID buildstamps and
//! package names, ordered by the family's base date (never by name: australia follows zurich).

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use crate::error::{Error, ErrorKind};

/// A calendar date as the grammar writes it (`MM-DD-YYYY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
}

impl Date {
    fn parse(s: &str) -> Option<Date> {
        let mut it = s.split('-').map(|p| p.parse::<u16>().ok());
        let (month, day, year) = (it.next()??, it.next()??, it.next()??);
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}-{:04}", self.month, self.day, self.year)
    }
}

/// A patch level: `patch4b-hotfix1a` is number 4, letter b, hotfix 1, hotfix letter a.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Patch {
    /// Patch number.
    pub number: u32,
    /// Patch letter (`patch12a`), if any.
    pub letter: Option<char>,
    /// Hotfix number, if any.
    pub hotfix: Option<u32>,
    /// Hotfix letter (`hotfix3b`), if any.
    pub hotfix_letter: Option<char>,
}

/// A parsed version: `family-BASEDATE[__patchN[x][-hotfixM[y]]-PATCHDATE][_BUILDDATE_HHMM]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    /// Release family, lower-case (`washingtondc`), or the KB's `RELEASE_FAMILY` placeholder.
    pub family: String,
    /// The family's branch date, the same for every build of the family.
    pub base: Date,
    /// The patch level; `None` for a release without a patch segment.
    pub patch: Option<Patch>,
    /// The patch or hotfix tag date.
    pub patch_date: Option<Date>,
    /// Build date and time (`HHMM`), present in buildstamps and Upgrade History values.
    pub build: Option<(Date, u16)>,
}

/// How the MID Server's version relates to the version it should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The MID is older: the upgrade has not happened or failed.
    Behind,
    /// Same version.
    Equal,
    /// The MID is newer: a downgrade is pending (KB0647664, KB0697389).
    Ahead,
}

fn grammar() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        crate::casefold::regex(concat!(
            r"^(?:glide-)?(?P<family>[A-Za-z_]+)-(?P<base>\d{2}-\d{2}-\d{4})",
            r"(?:__patch(?P<pn>\d{1,4})(?P<pl>[a-z]?)(?:-hotfix(?P<hn>\d{1,4})(?P<hl>[a-z]?))?-(?P<pdate>\d{2}-\d{2}-\d{4}))?",
            r"(?:_(?P<bdate>\d{2}-\d{2}-\d{4})_(?P<btime>\d{4}))?(?:\.zip)?$"
        ))
        .expect("the version grammar compiles")
    })
}

/// Release families (as written in version strings) and their display names.
pub const FAMILIES: &[(&str, &str)] = &[
    ("helsinki", "Helsinki"),
    ("istanbul", "Istanbul"),
    ("jakarta", "Jakarta"),
    ("kingston", "Kingston"),
    ("london", "London"),
    ("madrid", "Madrid"),
    ("newyork", "New York"),
    ("orlando", "Orlando"),
    ("paris", "Paris"),
    ("quebec", "Quebec"),
    ("rome", "Rome"),
    ("sandiego", "San Diego"),
    ("tokyo", "Tokyo"),
    ("utah", "Utah"),
    ("vancouver", "Vancouver"),
    ("washingtondc", "Washington DC"),
    ("xanadu", "Xanadu"),
    ("yokohama", "Yokohama"),
    ("zurich", "Zurich"),
    ("australia", "Australia"),
];

impl Version {
    /// Parses any of the accepted forms, with or without `glide-` and `.zip`.
    pub fn parse(s: &str) -> Result<Version, Error> {
        let s = s.trim();
        let shown = quoted(s);
        let caps = grammar().captures(s).ok_or_else(|| {
            Error::new(
                ErrorKind::Version,
                format!("{shown} is not a ServiceNow version (expected e.g. glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip)"),
            )
        })?;
        // A date the grammar matched must be a real one: `05-62-2024` is refused, not dropped.
        let date = |name: &str, what: &str| match caps.name(name) {
            None => Ok(None),
            Some(m) => Date::parse(m.as_str()).map(Some).ok_or_else(|| {
                Error::new(
                    ErrorKind::Version,
                    format!("{shown} has an impossible {what} date"),
                )
            }),
        };
        let num = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
        let letter = |name: &str| caps.name(name).and_then(|m| m.as_str().chars().next());
        let family = &caps["family"];
        let family = if family == "RELEASE_FAMILY" {
            family.to_string()
        } else {
            family.to_ascii_lowercase()
        };
        let Some(base) = date("base", "base")? else {
            return Err(Error::new(
                ErrorKind::Version,
                format!("{shown} has no base date"),
            ));
        };
        let patch_date = date("pdate", "patch")?;
        let build_date = date("bdate", "build")?;
        let patch = num("pn").map(|number| Patch {
            number,
            letter: letter("pl"),
            hotfix: num("hn"),
            hotfix_letter: letter("hl"),
        });
        let build = match (build_date, caps.name("btime")) {
            (Some(d), Some(t)) => Some((d, t.as_str().parse().unwrap_or(0))),
            _ => None,
        };
        Ok(Version {
            family,
            base,
            patch,
            patch_date,
            build,
        })
    }

    /// The family's display name, e.g. `Washington DC`.
    pub fn family_name(&self) -> String {
        match FAMILIES.iter().find(|f| f.0 == self.family) {
            Some(f) => f.1.to_string(),
            None if self.family == "RELEASE_FAMILY" => "(release family placeholder)".into(),
            None => {
                let mut c = self.family.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        }
    }

    /// A readable name: `Zurich Patch 7b Hotfix 2`.
    pub fn label(&self) -> String {
        let mut out = self.family_name();
        if let Some(p) = &self.patch {
            out.push_str(&format!(" Patch {}", p.number));
            out.extend(p.letter);
            if let Some(h) = p.hotfix {
                out.push_str(&format!(" Hotfix {h}"));
                out.extend(p.hotfix_letter);
            }
        }
        out
    }

    /// Compares two versions: base date, patch, patch letter, hotfix, hotfix letter, then the
    /// build date and time when both have one.
    pub fn compare(&self, other: &Version) -> Ordering {
        let key = |v: &Version| (v.base, v.patch);
        key(self)
            .cmp(&key(other))
            .then_with(|| match (self.build, other.build) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => Ordering::Equal,
            })
    }

    /// Whether a MID on `self` is behind, equal to or ahead of `target`.
    pub fn relation_to(&self, target: &Version) -> Relation {
        match self.compare(target) {
            Ordering::Less => Relation::Behind,
            Ordering::Equal => Relation::Equal,
            Ordering::Greater => Relation::Ahead,
        }
    }
}

impl fmt::Display for Version {
    /// The MID buildstamp form: `zurich-07-01-2025__patch7b-hotfix2-06-18-2026_06-19-2026_0134`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.family, self.base)?;
        if let Some(p) = &self.patch {
            write!(f, "__patch{}", p.number)?;
            if let Some(l) = p.letter {
                write!(f, "{l}")?;
            }
            if let Some(h) = p.hotfix {
                write!(f, "-hotfix{h}")?;
                if let Some(l) = p.hotfix_letter {
                    write!(f, "{l}")?;
                }
            }
            if let Some(d) = self.patch_date {
                write!(f, "-{d}")?;
            }
        }
        if let Some((d, t)) = self.build {
            write!(f, "_{d}_{t:04}")?;
        }
        Ok(())
    }
}

/// `s` for a message: on one line, control characters escaped, at most 80 characters, in
/// backticks.
fn quoted(s: &str) -> String {
    let mut out: String = s.chars().take(80).flat_map(char::escape_debug).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    format!("`{}`", out.replace('`', "'"))
}

/// A MID package file name: `mid-core.<buildstamp>.universal.universal.zip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `mid`, `mid-core`, `mid-jre`, `mid-upgrade`, ...
    pub kind: String,
    /// The buildstamp.
    pub version: Version,
    /// `universal.universal`, `windows.x86-64`, `linux.x86-64`, ...
    pub platform: String,
}

/// Parses a package name, tolerating the stray space some KBs show before the platform.
pub fn parse_package(name: &str) -> Option<Package> {
    let name = name.trim().replace(" .", ".");
    let name = name.rsplit('/').next()?;
    let (kind, rest) = name.split_once('.')?;
    if !kind.starts_with("mid") {
        return None;
    }
    let rest = rest.strip_prefix("mid.").unwrap_or(rest);
    let (stamp, platform) = rest.split_once('.')?;
    let platform = platform.strip_suffix(".zip").unwrap_or(platform);
    Some(Package {
        kind: kind.to_string(),
        version: Version::parse(stamp).ok()?,
        platform: platform.to_string(),
    })
}

/// Every version string in free text (for example rows pasted from Upgrade History), in order.
pub fn find_versions(text: &str) -> Vec<(String, Version)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        crate::casefold::regex(r"glide-[A-Za-z_]+-\d{2}-\d{2}-\d{4}[A-Za-z0-9_\-]*(?:\.zip)?")
            .expect("compiles")
    });
    re.find_iter(text)
        .filter_map(|m| {
            Version::parse(m.as_str())
                .ok()
                .map(|v| (m.as_str().to_string(), v))
        })
        .collect()
}

/// Which package list a version marker introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Installed,
    Assigned,
    Missing,
    Downloaded,
    Scenario,
}

/// Markers of the lines that list packages.
pub(crate) const MARKERS: &[(&str, Field)] = &[
    ("Installed: [", Field::Installed),
    ("Assigned: [", Field::Assigned),
    ("Missing: [", Field::Missing),
    ("Downloaded: [", Field::Downloaded),
    ("upgrade scenario with current=", Field::Scenario),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_every_documented_form() {
        let x = v("glide-vancouver-07-06-2023__patch10-hotfix2a-09-10-2024_10-10-2024_0805.zip");
        assert_eq!(x.family, "vancouver");
        assert_eq!(
            x.patch,
            Some(Patch {
                number: 10,
                letter: None,
                hotfix: Some(2),
                hotfix_letter: Some('a')
            })
        );
        assert_eq!(
            x.build,
            Some((
                Date {
                    year: 2024,
                    month: 10,
                    day: 10
                },
                805
            ))
        );
        assert_eq!(x.label(), "Vancouver Patch 10 Hotfix 2a");
        let tag = v("glide-kingston-10-17-2017__patch6-hotfix5-07-28-2018");
        assert_eq!((tag.build, tag.patch.unwrap().hotfix), (None, Some(5)));
        let stamp = v("sandiego-12-22-2021__patch9a-hotfix1-01-31-2023_02-01-2023_1625");
        assert_eq!(stamp.label(), "San Diego Patch 9a Hotfix 1");
        assert_eq!(
            stamp.to_string(),
            "sandiego-12-22-2021__patch9a-hotfix1-01-31-2023_02-01-2023_1625"
        );
        let kb = v("glide-RELEASE_FAMILY-03-09-2015_06-22-2016_1932.zip");
        assert_eq!((kb.family.as_str(), kb.patch), ("RELEASE_FAMILY", None));
        assert_eq!(kb.build.unwrap().1, 1932);
        assert!(Version::parse("glide-tokyo-7-8-2022.zip").is_err());
        assert!(Version::parse("hello")
            .unwrap_err()
            .to_string()
            .contains("not a ServiceNow version"));
        assert!(Version::parse("tokyo-13-45-2022").is_err());
        // An impossible patch or build date is refused, not silently dropped: a dropped date
        // would make the version print as a string that does not parse back.
        for (s, what) in [
            (
                "glide-vancouver-07-06-2023__patch9-hotfix1-05-62-2024_05-31-2024_1617.zip",
                "patch",
            ),
            (
                "glide-vancouver-07-06-2023__patch9-05-22-2024_13-31-2024_1617.zip",
                "build",
            ),
        ] {
            let e = Version::parse(s).unwrap_err().to_string();
            assert!(e.contains(&format!("impossible {what} date")), "{e}");
        }
    }

    /// Every version prints as its MID buildstamp, which parses back to the same version.
    #[test]
    fn printed_versions_parse_back() {
        for s in [
            "glide-vancouver-07-06-2023__patch10-hotfix2a-09-10-2024_10-10-2024_0805.zip",
            "glide-RELEASE_FAMILY-03-09-2015_06-22-2016_1932.zip",
            "zurich-07-01-2025__patch7b-hotfix2-06-18-2026_06-19-2026_0134",
            "glide-tokyo-07-08-2022",
        ] {
            let x = v(s);
            assert_eq!(v(&x.to_string()), x, "{s}");
        }
    }

    #[test]
    fn ordering_is_by_base_date_not_name() {
        let zurich = v("zurich-07-01-2025__patch10-hotfix1-06-18-2026_06-19-2026_0939");
        let australia = v("australia-02-11-2026__patch2-hotfix2-06-18-2026_06-18-2026_2231");
        assert_eq!(zurich.relation_to(&australia), Relation::Behind);
        assert_eq!(australia.relation_to(&zurich), Relation::Ahead);
        let ordered = [
            "xanadu-07-02-2024__patch4b-01-15-2025_02-11-2025_1733",
            "yokohama-12-18-2024__patch0-01-14-2025",
            "yokohama-12-18-2024__patch1b-hotfix1-05-20-2025",
            "yokohama-12-18-2024__patch2-04-15-2025",
            "yokohama-12-18-2024__patch2-hotfix2-04-15-2025",
            "yokohama-12-18-2024__patch12-hotfix2b-05-18-2026_06-19-2026_0219",
            "zurich-07-01-2025__patch7b-hotfix2-06-18-2026_06-19-2026_0134",
            "zurich-07-01-2025__patch10-hotfix1-06-18-2026_06-19-2026_0939",
            "australia-02-11-2026__patch2-hotfix2-06-18-2026_06-18-2026_2231",
            "australia-02-11-2026__patch3-hotfix1-06-18-2026_06-19-2026_0938",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(
                v(pair[0]).compare(&v(pair[1])),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        let no_patch = v("tokyo-07-08-2022");
        assert_eq!(
            no_patch.compare(&v("tokyo-07-08-2022__patch0-01-01-2023")),
            Ordering::Less
        );
    }

    #[test]
    fn build_tag_equals_the_buildstamp_it_belongs_to() {
        let tag = v("glide-kingston-10-17-2017__patch6-hotfix5-07-28-2018");
        let stamp = v("kingston-10-17-2017__patch6-hotfix5-07-28-2018_07-31-2018_0903");
        assert_eq!(stamp.relation_to(&tag), Relation::Equal);
        let later = v("kingston-10-17-2017__patch6-hotfix5-07-28-2018_08-01-2018_0903");
        assert_eq!(stamp.relation_to(&later), Relation::Behind);
    }

    #[test]
    fn package_names() {
        let p = parse_package("mid-jre.newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636 .windows.x86-64.zip").unwrap();
        assert_eq!(
            (p.kind.as_str(), p.platform.as_str()),
            ("mid-jre", "windows.x86-64")
        );
        assert_eq!(p.version.family, "newyork");
        let p = parse_package("mid-upgrade.mid.newyork-06-26-2019__patch0-hotfix2-07-10-2019_07-16-2019_1636.preUpgradeCheck.zip").unwrap();
        assert_eq!(
            (p.kind.as_str(), p.platform.as_str()),
            ("mid-upgrade", "preUpgradeCheck")
        );
        let p = parse_package("https://install.service-now.com/glide/distribution/builds/package/app-signed/mid/2023/10/06/mid.vancouver-07-06-2023__patch2-hotfix1-10-04-2023_10-06-2023_1235.linux.x86-64.zip").unwrap();
        assert_eq!(p.kind, "mid");
        assert!(parse_package("readme.txt").is_none());
    }

    #[test]
    fn finds_versions_in_pasted_upgrade_history() {
        let paste = "To\tFrom\tState\nglide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip\tglide-zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900.zip\tComplete\n";
        let found = find_versions(paste);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1.patch.unwrap().number, 4);
        assert!(find_versions("random text 12-12-2012").is_empty());
    }

    #[test]
    fn family_names_and_labels() {
        assert_eq!(
            v("glide-washingtondc-12-06-2023").family_name(),
            "Washington DC"
        );
        assert_eq!(
            v("glide-RELEASE_FAMILY-03-09-2015_06-22-2016_1932.zip").family_name(),
            "(release family placeholder)"
        );
        // A family released after this table was written keeps its name, capitalised.
        assert_eq!(v("glide-brazil-02-11-2027").family_name(), "Brazil");
        assert_eq!(v("glide-brazil-02-11-2027").label(), "Brazil");
        assert_eq!(
            v("yokohama-12-18-2024__patch1b-05-20-2025").label(),
            "Yokohama Patch 1b"
        );
        assert_eq!(
            v("yokohama-12-18-2024__patch12-hotfix3-05-18-2026").label(),
            "Yokohama Patch 12 Hotfix 3"
        );
    }

    #[test]
    fn messages_quote_the_input_on_one_short_line() {
        assert_eq!(quoted("a`b"), "`a'b`");
        assert_eq!(quoted("line\nnext\t"), "`line\\nnext\\t`");
        let long = "x".repeat(81);
        assert_eq!(quoted(&long), format!("`{}…`", "x".repeat(80)));
        assert_eq!(quoted(&long[..80]), format!("`{}`", "x".repeat(80)));
        let e = Version::parse("bad\nversion").unwrap_err().to_string();
        assert!(
            e.contains("`bad\\nversion` is not a ServiceNow version"),
            "{e}"
        );
    }
}
