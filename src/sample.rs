//! The bundled sample incident behind "Try it with a sample": a Windows MID Server whose Zurich
//! patch upgrade handed off cleanly and then failed while replacing files, because a DLL was
//! locked. Written for midtriage from the documented messages; it contains no customer data.

/// The instance version the sample was upgraded to.
pub const INSTANCE_VERSION: &str = "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip";

/// The sample's files: name and content.
pub const FILES: [(&str, &str); 2] = [
    ("agent0.log.0", include_str!("sample/agent0.log.0")),
    ("wrapper.log", include_str!("sample/wrapper.log")),
];

/// The sample's files as engine inputs.
pub fn inputs() -> Vec<midtriage_engine::Input<'static>> {
    FILES
        .iter()
        .map(|(name, text)| midtriage_engine::Input {
            name,
            bytes: text.as_bytes(),
            kind: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use midtriage_engine::{analyze, finding_ids, Catalogue, Context};

    #[test]
    fn the_sample_shows_a_real_result() {
        let inputs = super::inputs();
        let ctx = Context {
            instance_version: Some(super::INSTANCE_VERSION.into()),
            ..Context::default()
        };
        let a = analyze(Catalogue::builtin(), &inputs, &ctx);
        assert_eq!(finding_ids(&a), ["file-delete-failed", "file-locked"]);
        assert_eq!(
            a.phase.stopped_at,
            Some(midtriage_engine::phase::Phase::FileReplacement)
        );
        assert_eq!(
            a.versions.comparison.unwrap().relation,
            midtriage_engine::Relation::Behind
        );
    }
}
