//! A reader for the TOML that rules files are written in: all of TOML 1.0 but dates, times and
//! fractional numbers, which no rules file field takes (a file holding one is refused with the
//! line). Written for the web build's download size: a general TOML crate weighed about 20 KB
//! gzip there. The tests hold it to the `toml` crate's reading of the same texts.

use std::collections::BTreeMap;

/// A table: keys in sorted order.
pub(crate) type Table = BTreeMap<String, Value>;

/// A value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Boolean(bool),
    Array(Vec<Value>),
    Table(Table),
}

impl Value {
    /// The TOML name of the value's type.
    pub(crate) fn type_str(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Boolean(_) => "boolean",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }
}

/// Why a text is not TOML, and the 1-based line where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: u32,
    pub(crate) message: String,
}

/// Reads `text` as a TOML document.
pub(crate) fn parse(text: &str) -> std::result::Result<Table, SyntaxError> {
    let mut p = Parser {
        b: text.as_bytes(),
        text,
        at: 0,
        root: Table::new(),
        current: Vec::new(),
        defined: Vec::new(),
        arrays: Vec::new(),
        inline: 0,
    };
    p.document().map_err(|message| SyntaxError {
        line: crate::lines::number_at(text, p.at.min(text.len())),
        message,
    })?;
    Ok(p.root)
}

/// One step of the path to a table: a key, and for an array of tables the element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Element(usize),
}

type Result<T> = std::result::Result<T, String>;

struct Parser<'a> {
    b: &'a [u8],
    text: &'a str,
    at: usize,
    root: Table,
    /// Where key/value lines go: the path of the last header.
    current: Vec<Step>,
    /// Tables defined by a header or by dotted keys (each may be defined once).
    defined: Vec<Vec<Step>>,
    /// Arrays made by `[[header]]`, the only ones a header may add to.
    arrays: Vec<Vec<Step>>,
    /// How many inline tables the cursor is in: there, line ends count as spaces.
    inline: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.at += usize::from(hit);
        hit
    }

    fn starts(&self, s: &str) -> bool {
        self.b[self.at..].starts_with(s.as_bytes())
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Spaces; in an inline table, line ends and comments too (TOML 1.1, as the toml crate
    /// reads it).
    fn gap(&mut self) -> Result<()> {
        if self.inline > 0 {
            self.blank()
        } else {
            self.spaces();
            Ok(())
        }
    }

    /// Spaces, then an optional comment, then the end of the line (or of the text).
    fn line_end(&mut self) -> Result<()> {
        self.spaces();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.at += 1;
                Ok(())
            }
            Some(b'\r') if self.b.get(self.at + 1) == Some(&b'\n') => {
                self.at += 2;
                Ok(())
            }
            Some(_) => Err("expected the end of the line".into()),
        }
    }

    fn comment(&mut self) -> Result<()> {
        while let Some(c) = self.peek() {
            if c == b'\n' || (c == b'\r' && self.b.get(self.at + 1) == Some(&b'\n')) {
                break;
            }
            if is_control(c) {
                return Err("a control character in a comment".into());
            }
            self.at += 1;
        }
        Ok(())
    }

    /// Spaces, comments and line ends (inside arrays).
    fn blank(&mut self) -> Result<()> {
        loop {
            self.spaces();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n') => self.at += 1,
                Some(b'\r') if self.b.get(self.at + 1) == Some(&b'\n') => self.at += 2,
                _ => return Ok(()),
            }
        }
    }

    fn document(&mut self) -> Result<()> {
        loop {
            self.blank()?;
            match self.peek() {
                None => return Ok(()),
                Some(b'[') => self.header()?,
                Some(_) => {
                    let path = self.current.clone();
                    self.key_value(&path)?;
                }
            }
            self.line_end()?;
        }
    }

    fn header(&mut self) -> Result<()> {
        let array = self.starts("[[");
        self.at += if array { 2 } else { 1 };
        self.spaces();
        let keys = self.key()?;
        self.spaces();
        if !(self.eat(b']') && (!array || self.eat(b']'))) {
            return Err(format!(
                "expected `{}` to close the header",
                if array { "]]" } else { "]" }
            ));
        }
        let (last, parents) = keys.split_last().expect("a key has a part");
        let mut path = self.walk(&[], parents, true)?;
        path.push(Step::Key(last.clone()));
        let slot = get_mut(&mut self.root, &path[..path.len() - 1])?;
        if array {
            match slot.get_mut(last) {
                None => {
                    slot.insert(last.clone(), Value::Array(vec![Value::Table(Table::new())]));
                    self.arrays.push(path.clone());
                    path.push(Step::Element(0));
                }
                Some(Value::Array(items)) if self.arrays.contains(&path) => {
                    items.push(Value::Table(Table::new()));
                    let n = items.len() - 1;
                    path.push(Step::Element(n));
                }
                Some(_) => return Err(format!("`{last}` is already defined as another value")),
            }
        } else {
            match slot.get(last) {
                None => {
                    slot.insert(last.clone(), Value::Table(Table::new()));
                }
                Some(Value::Table(_)) if !self.defined.contains(&path) => {}
                Some(_) => return Err(format!("the table `{last}` is defined twice")),
            }
            self.defined.push(path.clone());
        }
        self.current = path;
        Ok(())
    }

    /// Follows `keys` from the table at `from`, making missing tables when `make`; an array of
    /// tables made by a header stands for its last element. Returns the path reached.
    fn walk(&mut self, from: &[Step], keys: &[String], make: bool) -> Result<Vec<Step>> {
        let mut path = from.to_vec();
        for key in keys {
            let arrays = &self.arrays;
            let slot = get_mut(&mut self.root, &path)?;
            path.push(Step::Key(key.clone()));
            match slot.get(key) {
                None if make => {
                    slot.insert(key.clone(), Value::Table(Table::new()));
                }
                Some(Value::Table(_)) => {}
                Some(Value::Array(items)) if arrays.contains(&path) => {
                    let n = items.len() - 1;
                    path.push(Step::Element(n));
                }
                _ => return Err(format!("`{key}` is already defined as another value")),
            }
        }
        Ok(path)
    }

    fn get_mut(&mut self, path: &[Step]) -> Result<&mut Table> {
        get_mut(&mut self.root, path)
    }

    /// `key = value`, into the table at `path`.
    fn key_value(&mut self, path: &[Step]) -> Result<()> {
        let keys = self.key()?;
        self.gap()?;
        if !self.eat(b'=') {
            return Err("expected `=` after the key".into());
        }
        self.gap()?;
        let value = self.value()?;
        let (last, parents) = keys.split_last().expect("a key has a part");
        let mut target = path.to_vec();
        for key in parents {
            target = self.walk(&target, std::slice::from_ref(key), true)?;
            // A table made by dotted keys cannot be opened again by a header.
            if !self.defined.contains(&target) {
                self.defined.push(target.clone());
            }
        }
        let table = self.get_mut(&target)?;
        if table.contains_key(last) {
            return Err(format!("duplicate key `{last}`"));
        }
        table.insert(last.clone(), value);
        Ok(())
    }

    /// A key: bare or quoted parts joined by dots.
    fn key(&mut self) -> Result<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            self.gap()?;
            let part = match self.peek() {
                Some(b'"') => self.basic_string()?,
                Some(b'\'') => self.literal_string()?,
                _ => {
                    let start = self.at;
                    while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                    {
                        self.at += 1;
                    }
                    if start == self.at {
                        return Err("expected a key".into());
                    }
                    self.text[start..self.at].to_string()
                }
            };
            parts.push(part);
            self.gap()?;
            if !self.eat(b'.') {
                return Ok(parts);
            }
        }
    }

    fn value(&mut self) -> Result<Value> {
        match self.peek() {
            Some(b'"') if self.starts("\"\"\"") => self.multiline_basic().map(Value::String),
            Some(b'"') => self.basic_string().map(Value::String),
            Some(b'\'') if self.starts("'''") => self.multiline_literal().map(Value::String),
            Some(b'\'') => self.literal_string().map(Value::String),
            Some(b'[') => self.array(),
            Some(b'{') => self.inline_table(),
            Some(b't') if self.starts("true") => {
                self.at += 4;
                Ok(Value::Boolean(true))
            }
            Some(b'f') if self.starts("false") => {
                self.at += 5;
                Ok(Value::Boolean(false))
            }
            Some(c) if c.is_ascii_digit() || c == b'+' || c == b'-' || c == b'i' || c == b'n' => {
                self.integer()
            }
            _ => Err("expected a value".into()),
        }
    }

    fn integer(&mut self) -> Result<Value> {
        let start = self.at;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-' | b'.' | b':'))
        {
            self.at += 1;
        }
        let word = &self.text[start..self.at];
        let (negative, digits) = match word.as_bytes().first() {
            Some(b'-') => (true, &word[1..]),
            Some(b'+') => (false, &word[1..]),
            _ => (false, word),
        };
        let (radix, body) = match digits.get(..2) {
            Some("0x") if !negative && word == digits => (16, &digits[2..]),
            Some("0o") if !negative && word == digits => (8, &digits[2..]),
            Some("0b") if !negative && word == digits => (2, &digits[2..]),
            _ => (10, digits),
        };
        let b = body.as_bytes();
        let underscores_ok =
            !b.is_empty() && b[0] != b'_' && b[b.len() - 1] != b'_' && !body.contains("__");
        let leading_zero = radix == 10 && b.len() > 1 && b[0] == b'0';
        let clean: String = body.chars().filter(|&c| c != '_').collect();
        match i64::from_str_radix(&clean, radix) {
            Ok(n) if underscores_ok && !leading_zero && !clean.starts_with(['+', '-']) => {
                Ok(Value::Integer(if negative { -n } else { n }))
            }
            _ if word.contains([':', '.', 'e', 'E'])
                || word.ends_with("inf")
                || word.ends_with("nan")
                || (word.contains('-') && !word.starts_with('-')) =>
            {
                self.at = start;
                Err("dates, times and fractional numbers are not used in rules files".into())
            }
            _ => {
                self.at = start;
                Err(format!("`{word}` is not a number"))
            }
        }
    }

    fn array(&mut self) -> Result<Value> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.blank()?;
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err("expected `,` or `]` in the array".into());
            }
        }
    }

    fn inline_table(&mut self) -> Result<Value> {
        self.at += 1;
        // Its keys go into a table of their own, read like a document's.
        let outer = (
            std::mem::take(&mut self.root),
            std::mem::take(&mut self.defined),
            std::mem::take(&mut self.arrays),
        );
        self.inline += 1;
        let read = self.inline_body();
        self.inline -= 1;
        let table = std::mem::replace(&mut self.root, outer.0);
        (self.defined, self.arrays) = (outer.1, outer.2);
        read?;
        Ok(Value::Table(table))
    }

    /// An inline table's keys and values. As the toml crate reads them (TOML 1.1), they may
    /// run over several lines, with comments, and end with a comma.
    fn inline_body(&mut self) -> Result<()> {
        loop {
            self.blank()?;
            if self.eat(b'}') {
                return Ok(());
            }
            self.key_value(&[])?;
            self.blank()?;
            if self.eat(b'}') {
                return Ok(());
            }
            if !self.eat(b',') {
                return Err("expected `,` or `}` in the inline table".into());
            }
        }
    }

    fn basic_string(&mut self) -> Result<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err("the string is not closed on its line".into()),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(c) if is_control(c) && c != b'\t' => {
                    return Err("a control character in a string".into())
                }
                Some(_) => self.char_into(&mut out),
            }
        }
    }

    fn multiline_basic(&mut self) -> Result<String> {
        self.at += 3;
        self.skip_first_newline();
        let mut out = String::new();
        loop {
            if self.close(b'"', &mut out) {
                return Ok(out);
            }
            match self.peek() {
                None => return Err("the multi-line string is not closed".into()),
                Some(b'\\') => {
                    // A backslash at a line's end joins the next non-blank text.
                    let mut k = self.at + 1;
                    while matches!(self.b.get(k), Some(b' ' | b'\t')) {
                        k += 1;
                    }
                    if matches!(self.b.get(k), Some(b'\n' | b'\r')) {
                        self.at = k;
                        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                            self.at += 1;
                        }
                    } else {
                        self.escape(&mut out)?;
                    }
                }
                Some(b'\r') if self.b.get(self.at + 1) == Some(&b'\n') => {
                    out.push_str("\r\n");
                    self.at += 2;
                }
                Some(b'\n') => {
                    out.push('\n');
                    self.at += 1;
                }
                Some(c) if is_control(c) && c != b'\t' => {
                    return Err("a control character in a string".into())
                }
                Some(_) => self.char_into(&mut out),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err("the string is not closed on its line".into()),
                Some(b'\'') => {
                    self.at += 1;
                    return Ok(self.text[start..self.at - 1].to_string());
                }
                Some(c) if is_control(c) && c != b'\t' => {
                    return Err("a control character in a string".into())
                }
                Some(_) => self.at += 1,
            }
        }
    }

    fn multiline_literal(&mut self) -> Result<String> {
        self.at += 3;
        self.skip_first_newline();
        let mut out = String::new();
        loop {
            if self.close(b'\'', &mut out) {
                return Ok(out);
            }
            match self.peek() {
                None => return Err("the multi-line string is not closed".into()),
                Some(b'\r') if self.b.get(self.at + 1) == Some(&b'\n') => {
                    out.push_str("\r\n");
                    self.at += 2;
                }
                Some(c) if is_control(c) && c != b'\t' && c != b'\n' => {
                    return Err("a control character in a string".into())
                }
                Some(_) => self.char_into(&mut out),
            }
        }
    }

    /// Whether the cursor is at three `quote`s, which close a multi-line string; up to two
    /// more right before them belong to the content. Moves past them.
    fn close(&mut self, quote: u8, out: &mut String) -> bool {
        if !self.b[self.at..].starts_with(&[quote; 3]) {
            return false;
        }
        let mut n = 3;
        while self.b.get(self.at + n) == Some(&quote) && n < 5 {
            n += 1;
        }
        out.extend(std::iter::repeat_n(char::from(quote), n - 3));
        self.at += n;
        true
    }

    fn skip_first_newline(&mut self) {
        if self.starts("\r\n") {
            self.at += 2;
        } else if self.peek() == Some(b'\n') {
            self.at += 1;
        }
    }

    /// Copies the character at the cursor.
    fn char_into(&mut self, out: &mut String) {
        let c = self.text[self.at..].chars().next().expect("not at the end");
        out.push(c);
        self.at += c.len_utf8();
    }

    fn escape(&mut self, out: &mut String) -> Result<()> {
        self.at += 1;
        let c = self.peek().ok_or("an escape at the end of the text")?;
        self.at += 1;
        let simple = match c {
            b'b' => Some('\u{8}'),
            b't' => Some('\t'),
            b'n' => Some('\n'),
            b'f' => Some('\u{c}'),
            b'e' => Some('\u{1b}'),
            b'r' => Some('\r'),
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            return Ok(());
        }
        // `\e` and `\xHH` are TOML 1.1's, which the toml crate reads.
        let len = match c {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return Err(format!("`\\{}` is not an escape TOML knows", c as char)),
        };
        let hex = self
            .text
            .get(self.at..self.at + len)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or("a \\x escape needs 2 hex digits, \\u 4 and \\U 8")?;
        let ch = u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or("the escape is not a Unicode scalar value")?;
        out.push(ch);
        self.at += len;
        Ok(())
    }
}

fn get_mut<'t>(root: &'t mut Table, path: &[Step]) -> Result<&'t mut Table> {
    let mut table = root;
    let mut steps = path.iter().peekable();
    while let Some(step) = steps.next() {
        let Step::Key(key) = step else {
            return Err("a header path is broken".into());
        };
        let value = table.get_mut(key).ok_or("a header path is broken")?;
        table = match (value, steps.next_if(|s| matches!(s, Step::Element(_)))) {
            (Value::Table(t), None) => t,
            (Value::Array(items), Some(Step::Element(i))) => match items.get_mut(*i) {
                Some(Value::Table(t)) => t,
                _ => return Err("a header path is broken".into()),
            },
            _ => return Err(format!("`{key}` is already defined as another value")),
        };
    }
    Ok(table)
}

/// Control characters TOML refuses outside of escapes (tab aside, which callers allow).
fn is_control(c: u8) -> bool {
    c < 0x20 || c == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `toml` crate's reading of `text`, in this module's values (`None` when it refuses
    /// the text or it holds a value type rules files never use).
    fn reference(text: &str) -> Option<Table> {
        fn convert(v: toml::Value) -> Option<Value> {
            Some(match v {
                toml::Value::String(s) => Value::String(s),
                toml::Value::Integer(n) => Value::Integer(n),
                toml::Value::Boolean(b) => Value::Boolean(b),
                toml::Value::Array(a) => {
                    Value::Array(a.into_iter().map(convert).collect::<Option<_>>()?)
                }
                toml::Value::Table(t) => Value::Table(table(t)?),
                toml::Value::Float(_) | toml::Value::Datetime(_) => return None,
            })
        }
        fn table(t: toml::Table) -> Option<Table> {
            t.into_iter().map(|(k, v)| Some((k, convert(v)?))).collect()
        }
        table(text.parse::<toml::Table>().ok()?)
    }

    fn same(text: &str) {
        let ours = parse(text);
        let theirs = reference(text);
        assert_eq!(ours.as_ref().ok(), theirs.as_ref(), "{text:?}: {ours:?}");
    }

    #[test]
    fn the_built_in_rules_files_read_as_the_toml_crate_reads_them() {
        for (name, text) in super::super::BUILTIN_FILES {
            let ours = parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(Some(ours), reference(text), "{name}");
        }
    }

    #[test]
    fn every_form_reads_as_the_toml_crate_reads_it() {
        for text in [
            "",
            "a = 1\nb = -2\nc = +3\nd = 1_000\ne = 0xff\nf = 0o17\ng = 0b101\nh = 0",
            "a = true\nb = false # comment\n# whole line\n",
            "a = \"tab\\t \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\nb = 'C:\\path\\'",
            "a = \"\"\"\nfirst\nsecond \\\n   joined\"\"\"\nb = '''\nraw \\n '''\nc = \"\"\"x\"\"\"\"\"",
            "a = [1, 2,\n  3, # three\n]\nb = []\nc = [[1], ['x', \"y\"]]\nd = [ { regex = 'a\\d' }, \"lit\" ]",
            "a = { x = 1, y = { z = 'w' } }\nb = {}\nc = { d = 1, }\nd = {\n e = 1, # e\n f = 2\n}\n",
            "[t]\nx = 1\n[t.u]\ny = 2\n[v.w]\nz = 3\n[v]\nq = 4",
            "[[rule]]\nid = 'a'\n[[rule.when]]\nany = ['x']\n[[rule.when]]\nall = ['y']\n[rule.samples]\nfire = ['x']\n[[rule]]\nid = 'b'\n[rule.samples]\nquiet = []",
            "a.b.c = 1\na.b.d = 2\n\"quoted key\" = 3\n'lit.key' = 4\nx . y = 5",
            "a = 1\r\nb = 'x'\r\n[t]\r\nc = \"\"\"\r\nl1\r\nl2\"\"\"\r\n",
            "key-with_dash = 1\n123 = 2",
        ] {
            same(text);
        }
    }

    #[test]
    fn what_the_toml_crate_refuses_is_refused_with_its_line() {
        for (text, line) in [
            ("a = 1\na = 2", 2),
            ("a = ", 1),
            ("a = 'open\nb = 1", 1),
            ("[t]\n[t]", 2),
            ("a = 1\n[a]", 2),
            ("[[t]]\n[t]", 2),
            ("t = [1]\n[[t]]", 2),
            ("a = { b = 1 c = 2 }", 1),
            ("a = { , }", 1),
            ("a = 1 b = 2", 1),
            ("a = 01", 1),
            ("a = 1__0", 1),
            ("a = _1", 1),
            ("a = \"\\q\"", 1),
            ("a = [1 2]", 1),
            ("[a\nb = 1", 1),
            ("a.b = 1\n[a.b]", 2),
            ("x = 1\n= 2", 2),
            ("a = \"ctl\u{1}\"", 1),
            ("a = 99999999999999999999", 1),
        ] {
            assert!(reference(text).is_none(), "toml accepts {text:?}");
            let e = parse(text).expect_err(text);
            assert_eq!(e.line, line, "{text:?}: {e:?}");
        }
    }

    #[test]
    fn dates_and_fractions_are_refused_by_name() {
        for text in [
            "a = 1.5",
            "a = 1e3",
            "a = 1979-05-27",
            "a = 07:32:00",
            "a = inf",
            "a = nan",
        ] {
            let e = parse(text).expect_err(text);
            assert!(
                e.message.contains("dates, times and fractional numbers"),
                "{text}: {e:?}"
            );
        }
    }

    /// Every prefix of the built-in files and of the forms above: no panic, and where both
    /// readers accept, the same values.
    #[test]
    fn cut_texts_never_panic_and_agree_where_both_accept() {
        for (_, text) in super::super::BUILTIN_FILES {
            for end in (0..text.len())
                .filter(|&i| text.is_char_boundary(i))
                .step_by(7)
            {
                let cut = &text[..end];
                if let (Ok(ours), Some(theirs)) = (parse(cut), reference(cut)) {
                    assert_eq!(ours, theirs, "{cut:?}");
                }
            }
        }
    }

    /// The built-in files with bytes deleted, doubled or swapped for TOML's own punctuation,
    /// many times over: wherever the toml crate reads the result (as values rules files use),
    /// this reader reads the same.
    #[test]
    fn mutated_texts_read_as_the_toml_crate_reads_them() {
        const PUNCT: &[u8] = b"[]{}=,.'\"#\n \\";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut agreed = 0;
        for (_, text) in super::super::BUILTIN_FILES {
            for _ in 0..300 {
                let mut b = text.as_bytes().to_vec();
                for _ in 0..3 {
                    let at = next(b.len());
                    match next(3) {
                        0 => {
                            b.remove(at);
                        }
                        1 => b.insert(at, b[at]),
                        _ => b[at] = PUNCT[next(PUNCT.len())],
                    }
                }
                let Ok(cut) = std::str::from_utf8(&b) else {
                    continue;
                };
                let ours = parse(cut);
                if let Some(theirs) = reference(cut) {
                    assert_eq!(
                        ours.as_ref().ok(),
                        Some(&theirs),
                        "{:?} in {cut:?}",
                        ours.as_ref().err()
                    );
                    agreed += 1;
                }
            }
        }
        assert!(agreed > 100, "only {agreed} mutated texts were TOML");
    }

    /// Every `*.toml` under `$MIDTRIAGE_TOML_CORPUS` (for example `~/.cargo/registry/src`,
    /// thousands of Cargo.toml files written by others): wherever the toml crate reads a file
    /// as values rules files use, this reader reads the same. On demand:
    /// `MIDTRIAGE_TOML_CORPUS=DIR cargo test -p midtriage-engine --lib -- --ignored corpus`.
    #[test]
    #[ignore]
    fn a_corpus_of_other_peoples_toml_reads_as_the_toml_crate_reads_it() {
        let root = std::env::var("MIDTRIAGE_TOML_CORPUS").expect("MIDTRIAGE_TOML_CORPUS");
        let mut dirs = vec![std::path::PathBuf::from(root)];
        let (mut compared, mut differ) = (0, Vec::new());
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    if let Some(theirs) = reference(&text) {
                        compared += 1;
                        if parse(&text).ok() != Some(theirs) {
                            differ.push(path);
                        }
                    }
                }
            }
        }
        assert!(compared > 0);
        assert!(
            differ.is_empty(),
            "{} of {compared} differ: {:?}",
            differ.len(),
            &differ[..differ.len().min(10)]
        );
        eprintln!("{compared} files read alike");
    }
}
