//! Test helpers shared by the modules' unit tests (built only for tests).

/// The text of every field-guide fixture (real lines quoted from ServiceNow's KB articles), in
/// file-name order.
pub(crate) fn field_guide_texts() -> Vec<String> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/field-guide"
    );
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect()
}
