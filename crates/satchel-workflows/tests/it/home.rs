//! The home screen's answer (issue #15) on a seeded busy week: each line counts its shipments
//! and lists exactly them, and the calendar's reminders fall on the right days.

use chrono::{DateTime, Utc};
use satchel_ipc::{HomeLine, WindowKind};
use satchel_store::Store;
use satchel_workflows::{home, shipments, Engine};

fn at() -> DateTime<Utc> {
    // 10:00 in Hong Kong.
    DateTime::parse_from_rfc3339("2026-12-10T10:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn a_busy_week_counts_each_line_and_reminds_of_what_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let day = satchel_tests::seed::busy_week(&db, at());
    let store = Store::open(&db).unwrap();
    let engine = Engine::load();
    let h = home::today(&store, &engine, at()).unwrap();
    assert_eq!(h.today, "2026-12-10");
    assert!(!h.needs_setup, "the seeded week has a default sender");

    let count = |line| h.counts.iter().find(|c| c.line == line).unwrap();
    let expected = [
        (HomeLine::Problems, vec![day.problem]),
        (HomeLine::Drafts, vec![day.draft]),
        (HomeLine::Ready, vec![day.ready]),
        (HomeLine::Waiting, vec![]),
        (HomeLine::ToPrint, vec![day.to_print]),
        (HomeLine::ToPost, vec![day.to_post]),
        (HomeLine::InTransit, vec![day.claim, day.trace]),
    ];
    for (line, refs) in expected {
        let c = count(line);
        assert_eq!(c.count as usize, refs.len(), "{line:?}");
        // The line's list shows exactly its shipments.
        let listed = shipments::list(&store, &engine, &c.filter, h.today.parse().unwrap()).unwrap();
        let mut got: Vec<&str> = listed.iter().map(|s| s.reference.as_str()).collect();
        got.sort();
        assert_eq!(got, refs, "{line:?}");
    }

    let reminders: Vec<_> = h
        .reminders
        .iter()
        .map(|r| {
            (
                r.kind,
                r.reference.as_str(),
                r.days,
                r.date.as_str(),
                r.rule.as_str(),
            )
        })
        .collect();
    assert_eq!(
        reminders,
        [
            // Numbered 13 Nov: after C-01's 30 days it expires on 13 Dec, so 12 Dec is the last day.
            (
                WindowKind::LabelValid,
                day.expiring,
                2,
                "2026-12-12",
                "C-01"
            ),
            (WindowKind::Claim, day.claim, 3, "2026-12-13", "R-101"),
            (WindowKind::Trace, day.trace, 4, "2026-12-14", "R-117"),
        ]
    );
    let listed = shipments::list(&store, &engine, &h.reminders_filter, at().date_naive()).unwrap();
    assert_eq!(
        listed.len(),
        3,
        "the reminders' list holds the three reminded shipments"
    );

    // The printed item is to post today: the day's posting notes come with it.
    assert!(!h.posting_notes.is_empty());
}

#[test]
fn an_empty_database_needs_the_setup_and_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s.db")).unwrap();
    let h = home::today(&store, &Engine::load(), at()).unwrap();
    assert!(h.needs_setup);
    assert!(h.counts.iter().all(|c| c.count == 0));
    assert!(h.reminders.is_empty());
    assert!(
        !h.tariff_newest.is_empty(),
        "the bundled tariff's date is shown"
    );
}

/// The first-run setup keeps what was typed, refuses a sender without a Hong Kong mobile
/// naming the field, and once saved the app no longer needs it.
#[test]
fn the_setup_resumes_checks_the_mobile_and_saves_the_default_sender() {
    use satchel_ipc::{FinishSetupResponse, PartyDto, SetupDraftDto};
    use satchel_workflows::setup;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut draft = SetupDraftDto {
        step: 1,
        locale: "zh-HK".into(),
        sender: PartyDto {
            name: "Little Shop".into(),
            lines: vec!["8 Nathan Road".into()],
            city: "Kowloon".into(),
            country: "HK".into(),
            phone: "2123 4567".into(),
            ..PartyDto::default()
        },
    };
    {
        let mut store = Store::open(&db).unwrap();
        setup::save_draft(&mut store, &draft).unwrap();
    }
    // The app was closed; the next start finds the setup where it was left.
    let mut store = Store::open(&db).unwrap();
    let state = setup::state(&store).unwrap();
    assert!(state.needs_setup);
    assert_eq!(state.draft.as_ref(), Some(&draft));

    // A fixed line cannot receive the operator's SMS.
    match setup::finish(&mut store, draft.clone()).unwrap() {
        FinishSetupResponse::Invalid { problems } => {
            let p: Vec<_> = problems
                .iter()
                .map(|p| (p.rule.as_str(), p.field.as_str()))
                .collect();
            assert_eq!(p, [("R-071", "phone")]);
        }
        other => panic!("{other:?}"),
    }
    assert!(setup::state(&store).unwrap().needs_setup);

    draft.sender.phone = "+852 9123 4567".into();
    assert!(matches!(
        setup::finish(&mut store, draft).unwrap(),
        FinishSetupResponse::Saved { .. }
    ));
    let state = setup::state(&store).unwrap();
    assert!(!state.needs_setup);
    assert_eq!(state.draft, None, "the draft is forgotten once saved");
    assert_eq!(
        store.default_sender().unwrap().unwrap().input.party.name,
        "Little Shop"
    );
}
