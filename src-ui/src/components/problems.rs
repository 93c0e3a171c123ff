//! Lists that belong to a whole batch or posting rather than to one input: problems (the
//! posting rules in the posting panel, the batch rules
//! in the print panel and after a submission) and posting notes.
//! Each line names its rule, so the merchant can look it up, and errors are marked apart from
//! warnings.

use leptos::prelude::*;
use satchel_ipc::{Note, ProblemDto};

use crate::i18n::{note_text, problem_text, use_locale};

#[component]
pub fn ProblemList(id: &'static str, problems: Vec<ProblemDto>) -> impl IntoView {
    let locale = use_locale();
    let empty = problems.is_empty();
    view! {
        <ul id=id class="problems" role="alert" hidden=empty>
            {problems.into_iter().map(|x| {
                let (rule, shown, field, error) = (x.rule.clone(), x.rule.clone(), x.field.clone(), x.error);
                view! {
                    <li class:bad=error data-rule=rule data-field=field>
                        <strong>{shown}</strong>" "{move || problem_text(&x, locale.get()).to_owned()}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Notes for a batch about to be posted: what the counter
/// and the customs will expect, not faults of any one item.
#[component]
pub fn NoteList(id: &'static str, notes: Vec<Note>) -> impl IntoView {
    let locale = use_locale();
    let empty = notes.is_empty();
    view! {
        <ul id=id class="notes" hidden=empty>
            {notes.into_iter().map(|n| {
                let rule = n.rule();
                view! { <li data-rule=rule>{move || note_text(&n, locale.get())}</li> }
            }).collect_view()}
        </ul>
    }
}
