//! Pieces the address book and the shipment editor share: the address fields, and the
//! problems shown next to the field they name.
//!
//! A problem's `field` is a path from the rules engine (`recipient.lines[0]`, `name`). Each
//! input has a slot; `crate::components::routing` says which slot a path
//! belongs to, and a path with no slot on screen goes to the form's general list, so no
//! problem is ever hidden.

use leptos::prelude::*;
use satchel_ipc::{PartyDto, ProblemDto};

use crate::i18n::{problem_text, tr, use_locale, Key};

/// The problems of one slot: each with its rule id and text, `data-field` the exact path.
#[component]
pub fn FieldErrors(
    problems: RwSignal<Vec<ProblemDto>>,
    /// Whether a problem's field belongs to this slot.
    belongs: fn(&str, &str) -> bool,
    /// The slot's key, passed to `belongs` (not named `slot`: the view macro reserves it).
    #[prop(into)]
    at: String,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <span class="field-errors" aria-live="polite">
            {move || {
                let l = locale.get();
                problems.with(|ps| {
                    ps.iter()
                        .filter(|p| belongs(&p.field, &at))
                        .map(|p| problem_line(p, l, "field-error"))
                        .collect_view()
                })
            }}
        </span>
    }
}

/// One problem as a line: `<p class="field-error" data-field=…>` with the rule id first.
pub fn problem_line(p: &ProblemDto, l: crate::i18n::Locale, class: &'static str) -> impl IntoView {
    let rule =
        (!p.rule.is_empty()).then(|| view! { <span class="rule">{p.rule.clone()}</span>" " });
    view! {
        <p class=class class:warning=!p.error data-field=p.field.clone() data-rule=p.rule.clone()>
            {rule}{problem_text(p, l).to_owned()}
        </p>
    }
}

/// An address being edited, one signal per input.
#[derive(Debug, Clone, Copy)]
pub struct PartyForm {
    pub name: RwSignal<String>,
    pub company: RwSignal<String>,
    pub lines: [RwSignal<String>; 3],
    pub city: RwSignal<String>,
    pub state: RwSignal<String>,
    pub postcode: RwSignal<String>,
    pub country: RwSignal<String>,
    pub phone: RwSignal<String>,
    pub email: RwSignal<String>,
}

impl PartyForm {
    pub fn new() -> PartyForm {
        let s = || RwSignal::new(String::new());
        PartyForm {
            name: s(),
            company: s(),
            lines: [s(), s(), s()],
            city: s(),
            state: s(),
            postcode: s(),
            country: s(),
            phone: s(),
            email: s(),
        }
    }

    /// Fills the inputs from a stored address (lines past the third are joined into it).
    pub fn set(&self, p: &PartyDto) {
        self.name.set(p.name.clone());
        self.company.set(p.company.clone());
        for (i, line) in self.lines.iter().enumerate() {
            let text = if i < 2 {
                p.lines.get(i).cloned().unwrap_or_default()
            } else {
                p.lines
                    .get(2..)
                    .map(|rest| rest.join(", "))
                    .unwrap_or_default()
            };
            line.set(text);
        }
        self.city.set(p.city.clone());
        self.state.set(p.state.clone());
        self.postcode.set(p.postcode.clone());
        self.country.set(p.country.clone());
        self.phone.set(p.phone.clone());
        self.email.set(p.email.clone());
    }

    /// The address as typed (reactive: reading it in an effect tracks every input).
    pub fn get(&self) -> PartyDto {
        let lines: Vec<String> = self.lines.iter().map(|l| l.get()).collect();
        // Blank lines in the middle would shift the numbering of the problems' paths.
        let last = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(0, |i| i + 1);
        PartyDto {
            name: self.name.get(),
            company: self.company.get(),
            lines: lines[..last].to_vec(),
            city: self.city.get(),
            state: self.state.get(),
            postcode: self.postcode.get(),
            country: self.country.get(),
            phone: self.phone.get(),
            email: self.email.get(),
        }
    }
}

/// The address inputs, `#{id_prefix}-name` … `#{id_prefix}-email`, each with its slot.
/// `belongs` decides which problems a slot shows (the keys are those of
/// [`party_anchor`](crate::components::routing::party_anchor)).
#[component]
pub fn PartyFields(
    id_prefix: &'static str,
    form: PartyForm,
    problems: RwSignal<Vec<ProblemDto>>,
    belongs: fn(&str, &str) -> bool,
) -> impl IntoView {
    let field = move |key: &'static str,
                      label: Key,
                      value: RwSignal<String>,
                      attrs: (&'static str, &'static str)| {
        let id = format!("{id_prefix}-{key}");
        let (input_type, autocomplete) = attrs;
        view! {
            <label>
                {tr(label)}
                <input id=id type=input_type autocomplete=autocomplete
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                <FieldErrors problems=problems belongs=belongs at=key />
            </label>
        }
    };
    view! {
        <div class="grid">
            {field("name", Key::Name, form.name, ("text", "off"))}
            {field("company", Key::Company, form.company, ("text", "off"))}
            {field("line1", Key::Line1, form.lines[0], ("text", "off"))}
            {field("line2", Key::Line2, form.lines[1], ("text", "off"))}
            {field("line3", Key::Line3, form.lines[2], ("text", "off"))}
            {field("city", Key::City, form.city, ("text", "off"))}
            {field("state", Key::StateProvince, form.state, ("text", "off"))}
            {field("postcode", Key::Postcode, form.postcode, ("text", "off"))}
            {field("country", Key::CountryCode, form.country, ("text", "off"))}
            {field("phone", Key::Phone, form.phone, ("tel", "off"))}
            {field("email", Key::Email, form.email, ("email", "off"))}
        </div>
    }
}

/// A text input with a label and a problem slot, bound to `value`.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: Key,
    value: RwSignal<String>,
    problems: RwSignal<Vec<ProblemDto>>,
    belongs: fn(&str, &str) -> bool,
    #[prop(into)] at: String,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
) -> impl IntoView {
    view! {
        <label>
            {tr(label)}
            <input id=id type=input_type inputmode=inputmode autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <FieldErrors problems=problems belongs=belongs at=at />
        </label>
    }
}
