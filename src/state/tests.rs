//! Tests of the reducer: every action, and the state a URL opens in.
use super::*;

fn reduce(s: State, actions: impl IntoIterator<Item = Action>) -> State {
    actions.into_iter().fold(s, State::apply)
}

fn facts() -> Rc<Facts> {
    let log = b"AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n";
    let input = midtriage_engine::Input {
        name: "agent0.log.0",
        bytes: log,
        kind: None,
    };
    Rc::new(midtriage_engine::examine(
        midtriage_engine::Catalogue::builtin(),
        &[input],
    ))
}

#[test]
fn next_and_back_stay_within_the_flow() {
    let s = reduce(State::default(), [Action::Back]);
    assert_eq!(s.step, Step::Symptoms);
    let s = reduce(
        s,
        [
            Action::Next,
            Action::Next,
            Action::Next,
            Action::Next,
            Action::Next,
            Action::Next,
        ],
    );
    assert_eq!(s.step, Step::Analyse);
    assert_eq!(reduce(s, [Action::Back]).step, Step::Logs);
}

#[test]
fn the_url_opens_a_step_and_restores_answers() {
    let s = State::from_url("?step=analyse", "");
    assert_eq!((s.step, s.embed), (Step::Analyse, false));
    assert!(State::from_url("?embed=1&step=status", "").embed);
    let s = State::from_url("", "#status=down&upgraded=no&step=status");
    assert_eq!(
        (s.step, s.answers.status, s.answers.upgraded),
        (Step::Status, Some(Status::Down), Upgraded::No)
    );
    assert_eq!(
        State::from_url("?step=nowhere", "#step=logs").step,
        Step::Logs
    );
}

#[test]
fn pasting_history_finds_the_instance_version() {
    let s = reduce(
        State::default(),
        [Action::SetHistory(
            "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip Complete".into(),
        )],
    );
    assert_eq!(
        s.answers.instance_version,
        "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip"
    );
    assert_eq!(s.answers.upgraded, Upgraded::Yes);
    let s = reduce(
        s,
        [
            Action::SetUpgraded(Upgraded::No),
            Action::SetHistory("random text".into()),
        ],
    );
    assert_eq!(
        s.answers.upgraded,
        Upgraded::No,
        "a typed answer is not overridden"
    );
}

#[test]
fn a_run_goes_through_progress_to_results_and_ignores_stale_messages() {
    let s = reduce(
        State::default(),
        [
            Action::Started { id: 1, total: 100 },
            Action::Started { id: 2, total: 50 },
        ],
    );
    let s = reduce(
        s,
        [
            Action::Progress {
                id: 1,
                done: 99,
                elapsed_ms: 5.0,
            },
            Action::Progress {
                id: 2,
                done: 25,
                elapsed_ms: 10.0,
            },
        ],
    );
    assert_eq!(
        s.run,
        Run::Running {
            id: 2,
            done: 25,
            total: 50,
            elapsed_ms: 10.0
        }
    );
    let s = reduce(
        s,
        [Action::Finished {
            id: 1,
            facts: facts(),
            elapsed_ms: 1.0,
            memory_bytes: 0.0,
            tasks: 1,
        }],
    );
    assert!(s.running(), "a stale result is ignored");
    let s = reduce(
        s,
        [Action::Finished {
            id: 2,
            facts: facts(),
            elapsed_ms: 20.0,
            memory_bytes: 0.0,
            tasks: 1,
        }],
    );
    let Run::Done { bytes, .. } = &s.run else {
        panic!("{:?}", s.run)
    };
    assert_eq!(*bytes, 50);
    assert!(
        s.announcement.contains("could not download"),
        "{}",
        s.announcement
    );
}

#[test]
fn answers_stay_editable_and_results_stay_while_they_change() {
    let s = reduce(
        State::default(),
        [
            Action::Started { id: 1, total: 1 },
            Action::Finished {
                id: 1,
                facts: facts(),
                elapsed_ms: 1.0,
                memory_bytes: 0.0,
                tasks: 1,
            },
        ],
    );
    let s = reduce(
        s,
        [
            Action::Goto(Step::Status),
            Action::SetStatus(Some(Status::Up)),
            Action::SetMidVersion("x".into()),
        ],
    );
    assert!(matches!(s.run, Run::Done { .. }));
    assert_eq!(s.answers.status, Some(Status::Up));
}

#[test]
fn cancel_and_failure_keep_the_answers() {
    let base = reduce(
        State::default(),
        [
            Action::ToggleSymptom(Symptom::Down),
            Action::Started { id: 3, total: 10 },
        ],
    );
    let cancelled = reduce(
        base.clone(),
        [
            Action::Cancel,
            Action::Finished {
                id: 3,
                facts: facts(),
                elapsed_ms: 1.0,
                memory_bytes: 0.0,
                tasks: 1,
            },
        ],
    );
    assert_eq!(
        cancelled.run,
        Run::Cancelled,
        "a result after cancel is ignored"
    );
    let failed = reduce(
        base,
        [Action::Failed {
            id: 3,
            message: "boom".into(),
        }],
    );
    assert_eq!(failed.run, Run::Failed("boom".into()));
    assert!(failed.answers.symptoms.contains(&Symptom::Down));
    assert!(failed.announcement.contains("answers are kept"));
}

#[test]
fn the_sample_fills_only_unanswered_questions() {
    let input = InputMeta {
        id: 9,
        name: "agent0.log.0".into(),
        size: 10,
        source: Source::Sample,
    };
    let s = reduce(
        State::default(),
        [
            Action::SetStatus(Some(Status::Up)),
            Action::LoadSample(vec![input.clone()]),
        ],
    );
    assert_eq!(s.answers.status, Some(Status::Up));
    assert_eq!(s.answers.upgraded, Upgraded::Yes);
    assert_eq!((s.step, s.inputs.clone()), (Step::Analyse, vec![input]));
}

#[test]
fn causes_found_during_a_run_are_listed_and_announced() {
    let found = |id: &str| crate::protocol::FoundSoFar {
        id: id.into(),
        title: format!("title {id}"),
        severity: midtriage_engine::rules::Severity::Critical,
    };
    let s = reduce(
        State::default(),
        [
            Action::Started { id: 2, total: 10 },
            Action::Found {
                id: 1,
                findings: vec![found("old")],
            },
        ],
    );
    assert!(
        s.found_so_far.is_empty(),
        "messages of older runs are ignored"
    );
    let s = reduce(
        s,
        [Action::Found {
            id: 2,
            findings: vec![found("a")],
        }],
    );
    assert_eq!(
        (s.found_so_far.len(), s.announcement.as_str()),
        (1, "Found so far: title a.")
    );
    let s = reduce(s, [Action::Started { id: 3, total: 10 }]);
    assert!(s.found_so_far.is_empty(), "a new run starts empty");
}

#[test]
fn progress_is_announced_by_quarters() {
    let s = reduce(
        State::default(),
        [
            Action::Started { id: 1, total: 100 },
            Action::Progress {
                id: 1,
                done: 10,
                elapsed_ms: 1.0,
            },
        ],
    );
    assert_eq!(s.announcement, "Analysis started.");
    let s = reduce(
        s,
        [Action::Progress {
            id: 1,
            done: 30,
            elapsed_ms: 2.0,
        }],
    );
    assert_eq!(s.announcement, "Analysis 25% done.");
    let s = reduce(
        s,
        [
            Action::Progress {
                id: 1,
                done: 45,
                elapsed_ms: 3.0,
            },
            Action::Progress {
                id: 1,
                done: 100,
                elapsed_ms: 4.0,
            },
        ],
    );
    assert_eq!(
        s.announcement, "Analysis 25% done.",
        "no noise within a quarter, and the end is announced by the result"
    );
}

#[test]
fn the_engine_state_follows_the_worker() {
    let s = reduce(State::default(), [Action::EngineReady(20)]);
    assert_eq!(s.engine, Engine::Ready(20));
    assert_eq!(
        reduce(s.clone(), [Action::EngineRestarting]).engine,
        Engine::Loading
    );
    assert_eq!(
        reduce(s, [Action::EngineFailed("404".into())]).engine,
        Engine::Failed("404".into())
    );
}

#[test]
fn inputs_are_added_once_and_removed_by_id() {
    let a = InputMeta {
        id: 1,
        name: "a".into(),
        size: 1,
        source: Source::File,
    };
    let s = reduce(
        State::default(),
        [
            Action::AddInputs(vec![a.clone(), a.clone()]),
            Action::AddInputs(vec![a]),
        ],
    );
    assert_eq!(s.inputs.len(), 1);
    assert!(reduce(s, [Action::RemoveInput(1)]).inputs.is_empty());
}
