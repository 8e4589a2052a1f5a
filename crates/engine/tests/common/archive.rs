//! Archives built in tests: gzip, and ZIP as tools write it.
#![allow(dead_code)]

use std::io::Write;

use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::Compression;

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut d = DeflateEncoder::new(Vec::new(), Compression::default());
    d.write_all(bytes).unwrap();
    d.finish().unwrap()
}

/// A ZIP as tools write it: local headers, data (deflated or stored, sizes up front or in a
/// data descriptor), then the central directory and its end record.
pub fn zip(entries: &[(&str, &[u8], bool, bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data, deflated, descriptor) in entries {
        let body = if *deflated {
            deflate(data)
        } else {
            data.to_vec()
        };
        let offset = out.len() as u32;
        let flags: u16 = if *descriptor { 8 } else { 0 };
        let method: u16 = if *deflated { 8 } else { 0 };
        let (c, u) = (body.len() as u32, data.len() as u32);
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]); // time, date, crc (not checked)
        let (lc, lu) = if *descriptor { (0, 0) } else { (c, u) };
        out.extend_from_slice(&lc.to_le_bytes());
        out.extend_from_slice(&lu.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        if *descriptor {
            out.extend_from_slice(b"PK\x07\x08\0\0\0\0");
            out.extend_from_slice(&c.to_le_bytes());
            out.extend_from_slice(&u.to_le_bytes());
        }
        directory.extend_from_slice(b"PK\x01\x02");
        directory.extend_from_slice(&[20, 3, 20, 0]); // made by, needed
        directory.extend_from_slice(&flags.to_le_bytes());
        directory.extend_from_slice(&method.to_le_bytes());
        directory.extend_from_slice(&[0; 8]); // time, date, crc
        directory.extend_from_slice(&c.to_le_bytes());
        directory.extend_from_slice(&u.to_le_bytes());
        directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
        directory.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
