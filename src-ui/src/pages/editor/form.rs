//! The draft as the editor holds it: one signal per input, read into the DTO the shell checks
//! and fills from a stored shipment, so the page and its parts share one form.

use leptos::prelude::*;
use satchel_ipc::{ContentLineDto, PartyDto, ShipmentDraftDto};

use crate::components::fields::PartyForm;
use crate::i18n::CATEGORIES;

/// Every input of the editor.
#[derive(Debug, Clone, Copy)]
pub struct DraftForm {
    pub recipient: PartyForm,
    pub recipient_id: RwSignal<Option<String>>,
    pub sender_id: RwSignal<Option<String>>,
    pub sender: RwSignal<PartyDto>,
    pub service: RwSignal<String>,
    pub zone: RwSignal<String>,
    pub weight: RwSignal<String>,
    pub dims: [RwSignal<String>; 3],
    pub category: RwSignal<String>,
    pub explanation: RwSignal<String>,
    pub currency: RwSignal<String>,
    pub lines: RwSignal<Vec<LineForm>>,
    pub insured: RwSignal<String>,
    pub reference: RwSignal<String>,
    pub non_delivery: RwSignal<String>,
}

impl DraftForm {
    pub fn new() -> DraftForm {
        let text = || RwSignal::new(String::new());
        DraftForm {
            recipient: PartyForm::new(),
            recipient_id: RwSignal::new(None),
            sender_id: RwSignal::new(None),
            sender: RwSignal::new(PartyDto::default()),
            service: text(),
            zone: text(),
            weight: text(),
            dims: [text(), text(), text()],
            category: RwSignal::new(CATEGORIES[0].0.to_owned()),
            explanation: text(),
            currency: RwSignal::new("HKD".to_owned()),
            lines: RwSignal::new(vec![LineForm::new(&ContentLineDto::default())]),
            insured: text(),
            reference: text(),
            non_delivery: text(),
        }
    }

    /// The draft as typed; reading it in an effect tracks every input.
    pub fn draft(&self) -> ShipmentDraftDto {
        let f = *self;
        let dimensions_mm = {
            let v: Vec<u32> = f
                .dims
                .iter()
                .filter_map(|d| d.get().trim().parse().ok())
                .collect();
            <[u32; 3]>::try_from(v).ok()
        };
        let cur = f.currency.get().trim().to_ascii_uppercase();
        ShipmentDraftDto {
            sender_id: f.sender_id.get(),
            sender: f.sender.get(),
            recipient_id: f.recipient_id.get(),
            recipient: f.recipient.get(),
            service: f.service.get(),
            zone: f.zone.get(),
            weight_g: number(&f.weight.get()),
            dimensions_mm,
            category: f.category.get(),
            explanation: f.explanation.get(),
            lines: f
                .lines
                .get()
                .iter()
                .map(|l| ContentLineDto {
                    description: l.description.get(),
                    quantity: number(&l.quantity.get()),
                    net_weight_g: number(&l.net_weight.get()),
                    value: l.value.get(),
                    currency: cur.clone(),
                    hs_code: l.hs_code.get(),
                    origin_country: l.origin.get().trim().to_ascii_uppercase(),
                })
                .collect(),
            insured_value: f.insured.get(),
            reference: f.reference.get(),
            non_delivery: f.non_delivery.get(),
        }
    }

    /// Every input from a stored draft.
    pub fn fill(&self, d: ShipmentDraftDto) {
        let f = *self;
        f.recipient.set(&d.recipient);
        f.recipient_id.set(d.recipient_id);
        f.sender_id.set(d.sender_id);
        f.sender.set(d.sender);
        f.service.set(d.service);
        f.zone.set(d.zone);
        f.weight.set(if d.weight_g == 0 {
            String::new()
        } else {
            d.weight_g.to_string()
        });
        for (i, sig) in f.dims.iter().enumerate() {
            sig.set(
                d.dimensions_mm
                    .map(|m| m[i].to_string())
                    .unwrap_or_default(),
            );
        }
        if !d.category.is_empty() {
            f.category.set(d.category);
        }
        f.explanation.set(d.explanation);
        if let Some(first) = d.lines.first() {
            f.currency.set(first.currency.clone());
        }
        let mut forms: Vec<LineForm> = d.lines.iter().map(LineForm::new).collect();
        if forms.is_empty() {
            forms.push(LineForm::new(&ContentLineDto::default()));
        }
        f.lines.set(forms);
        f.insured.set(d.insured_value);
        f.reference.set(d.reference);
        f.non_delivery.set(d.non_delivery);
    }
}

/// A whole number typed in a box; anything else counts as 0, which the rules report.
fn number(text: &str) -> u32 {
    text.trim().parse().unwrap_or(0)
}

/// One content line being edited.
#[derive(Debug, Clone, Copy)]
pub struct LineForm {
    pub description: RwSignal<String>,
    pub quantity: RwSignal<String>,
    pub value: RwSignal<String>,
    pub hs_code: RwSignal<String>,
    pub origin: RwSignal<String>,
    pub net_weight: RwSignal<String>,
}

impl LineForm {
    pub fn new(l: &ContentLineDto) -> LineForm {
        let net = if l.net_weight_g == 0 {
            String::new()
        } else {
            l.net_weight_g.to_string()
        };
        LineForm {
            description: RwSignal::new(l.description.clone()),
            quantity: RwSignal::new(l.quantity.max(1).to_string()),
            value: RwSignal::new(l.value.clone()),
            hs_code: RwSignal::new(l.hs_code.clone()),
            origin: RwSignal::new(l.origin_country.clone()),
            net_weight: RwSignal::new(net),
        }
    }
}
