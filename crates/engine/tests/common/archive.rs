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
/// data descriptor), then a central directory (which a streaming reader does not need).
pub fn zip(entries: &[(&str, &[u8], bool, bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data, deflated, descriptor) in entries {
        let body = if *deflated {
            deflate(data)
        } else {
            data.to_vec()
        };
        let sizes_up_front = !descriptor;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&(if *descriptor { 8u16 } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(if *deflated { 8u16 } else { 0 }).to_le_bytes());
        out.extend_from_slice(&[0; 8]); // time, date, crc (not checked)
        let (c, u) = if sizes_up_front {
            (body.len() as u32, data.len() as u32)
        } else {
            (0, 0)
        };
        out.extend_from_slice(&c.to_le_bytes());
        out.extend_from_slice(&u.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        if *descriptor {
            out.extend_from_slice(b"PK\x07\x08\0\0\0\0");
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
    }
    out.extend_from_slice(b"PK\x01\x02 central directory follows");
    out
}
