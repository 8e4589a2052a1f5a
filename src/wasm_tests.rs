//! Tests that run inside headless Chromium through wasm-bindgen-test: the engine compiled to
//! WebAssembly must give the same answers as natively, and the page must render its facts.

use midtriage_engine::{analyze, examine, finding_ids, Catalogue, Context, Input};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_catalogue_loads_and_its_samples_hold_in_wasm() {
    let catalogue = Catalogue::builtin();
    assert_eq!(catalogue.rules.len(), 32);
    assert!(midtriage_engine::check_samples(catalogue).is_empty());
}

#[wasm_bindgen_test]
fn a_kb_signature_is_found_in_wasm() {
    let log = "INFO | jvm 1 | 2019/09/07 14:54:27.582 | SEVERE: com.snc.dist.mid_upgrade.UpgradeException: java.io.FileNotFoundException: D:\\ServiceNow\\agent\\bin\\mid.bat (Access is denied)\n";
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(log.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let input = Input {
        name: "wrapper.log",
        bytes: &utf16,
        kind: None,
    };
    let a = analyze(Catalogue::builtin(), &[input], &Context::default());
    assert_eq!(finding_ids(&a), ["app-experience-disabled"]);
    assert_eq!(a.findings[0].evidence[0].line, 1);
}

#[wasm_bindgen_test]
async fn the_page_renders_the_first_step_and_the_engine_version() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<crate::App>::with_root(root.clone()).render();
    yew::platform::time::sleep(std::time::Duration::from_millis(50)).await;
    let heading = document
        .get_element_by_id("step-heading")
        .expect("a step is shown");
    assert!(heading.text_content().unwrap().starts_with("Step 0"));
    let version = document.get_element_by_id("engine-version").unwrap();
    assert_eq!(version.text_content().unwrap(), midtriage_engine::VERSION);
}

#[wasm_bindgen_test]
fn worker_messages_survive_the_trip_through_js() {
    use crate::protocol::{from_js, to_js, FromWorker, Job, JobFile, ToWorker};
    use midtriage_engine::{Analyzer, Intake, Merge};
    let blob = crate::dom::text_blob("hello").unwrap();
    let job = Job {
        files: vec![JobFile {
            name: "a.log".into(),
            blob,
            part: None,
        }],
        rules: vec![JobFile {
            name: "site.toml".into(),
            blob: crate::dom::text_blob("[[rule]]").unwrap(),
            part: None,
        }],
        crash: false,
    };
    let ToWorker::Analyse(back) = from_js(to_js(&ToWorker::Analyse(job)).unwrap()).unwrap() else {
        panic!("wrong message")
    };
    assert_eq!(back.files[0].name, "a.log");
    assert_eq!(back.rules[0].name, "site.toml");
    assert!(!back.crash);
    assert_eq!(back.files[0].blob.size(), 5.0);

    // Each sample file's part, sent as a worker sends it, merges into the whole analysis.
    let inputs = crate::sample::inputs();
    let facts = examine(Catalogue::builtin(), &inputs);
    let mut merge = Merge::new(Catalogue::builtin());
    for input in &inputs {
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        let mut intake = Intake::new(&mut analyzer, input.name, input.kind);
        intake.feed(input.bytes);
        intake.finish();
        let msg = FromWorker::Part {
            partial: Box::new(analyzer.finish_partial()),
            memory_bytes: 1.0,
        };
        let FromWorker::Part { partial, .. } = FromWorker::from_js(msg.to_js().unwrap()).unwrap()
        else {
            panic!("wrong message")
        };
        merge.add(*partial);
    }
    assert_eq!(merge.finish(), facts);
    let msg = FromWorker::Done {
        facts: Box::new(facts.clone()),
        memory_bytes: 1.0,
    };
    let FromWorker::Done { facts: back, .. } = FromWorker::from_js(msg.to_js().unwrap()).unwrap()
    else {
        panic!("wrong message")
    };
    assert_eq!(*back, facts);
}

#[wasm_bindgen_test]
fn removed_inputs_let_their_blobs_go() {
    let mut blobs = crate::app::Blobs::default();
    let a = blobs.add(crate::dom::text_blob("a").unwrap());
    let sample = blobs.reserve();
    let b = blobs.add(crate::dom::text_blob("b").unwrap());
    assert_eq!(blobs.len(), 2);
    blobs.keep(&[b, sample]);
    assert_eq!(blobs.len(), 1);
    blobs.keep(&[a]);
    assert!(blobs.is_empty());
}

#[wasm_bindgen_test]
async fn a_pool_reads_a_zip_in_parts_and_merges_them_into_one_reading() {
    use crate::pool::{plan, Next, PoolRun};
    use crate::protocol::{FromWorker, Job, JobFile, ToWorker};
    use midtriage_engine::{Analyzer, Intake, Merge};
    // Three logs, written by Python's zipfile (the fuzz corpus' own sample).
    let zip: &[u8] = include_bytes!("../fuzz/corpus/archive/deflated.zip");
    let log = "11/25/25 03:00:00 (101) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid.user' on the ServiceNow instance\n";
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(zip));
    let files = vec![
        JobFile {
            name: "bundle.zip".into(),
            blob: web_sys::Blob::new_with_u8_array_sequence(&array).unwrap(),
            part: None,
        },
        JobFile {
            name: "agent0.log.0".into(),
            blob: crate::dom::text_blob(log).unwrap(),
            part: None,
        },
    ];
    let plans = plan(&files, 1).await;
    assert_eq!(plans.iter().map(Vec::len).collect::<Vec<_>>(), [3, 0]);
    let whole = {
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        for (name, bytes) in [("bundle.zip", zip), ("agent0.log.0", log.as_bytes())] {
            let mut intake = Intake::new(&mut analyzer, name, None);
            intake.feed(bytes);
            intake.finish();
        }
        analyzer.finish()
    };
    let job = Job {
        files,
        rules: Vec::new(),
        crash: false,
    };
    let mut run = PoolRun::new(1, 0.0, job, plans);
    assert_eq!(run.tasks(), 4);
    // Hand out every task, analyse it here from the bytes it names, give its part back in
    // reverse order (workers finish in any order), then merge as the last worker would.
    let mut done = Vec::new();
    while let Next::Task(index, ToWorker::Analyse(job)) = run.next_task() {
        let file = &job.files[0];
        let mut analyzer = Analyzer::new(Catalogue::builtin());
        let intake = match &file.part {
            Some(p) => {
                assert_eq!(
                    file.blob.size(),
                    (p.end - p.start) as f64,
                    "the part's bytes only"
                );
                let mut intake = Intake::part(&mut analyzer, &file.name, None, p);
                intake.feed(&zip[p.start as usize..p.end as usize]);
                intake
            }
            None => {
                let mut intake = Intake::new(&mut analyzer, &file.name, None);
                intake.feed(log.as_bytes());
                intake
            }
        };
        intake.finish();
        done.push((index, analyzer.finish_partial()));
    }
    assert_eq!(done.len(), 4);
    for (index, partial) in done.into_iter().rev() {
        let partial = Box::new(partial);
        run.take(
            index,
            FromWorker::Part {
                partial,
                memory_bytes: 1.0,
            },
        );
    }
    let Next::Task(_, ToWorker::Merge { parts, .. }) = run.next_task() else {
        panic!("the merge comes once every part is in")
    };
    assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [3, 1]);
    let mut merge = Merge::new(Catalogue::builtin());
    for input in parts {
        merge.add_parts(input);
    }
    assert_eq!(merge.finish(), whole);
}
