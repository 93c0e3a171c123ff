//! Table tests for the rules engine; every case is named after the rule it checks.

use super::*;
use crate::model::{Bag, ContentLine, Customs, Dimensions, NonDelivery, Parcel, PostingItem};
use crate::s10::ItemNumber;
use proptest::prelude::*;
use rstest::rstest;
use rust_decimal_macros::dec;

/// A tiny tariff: which (service, country, zone) is served, up to what weight.
struct Table;

impl TariffFacts for Table {
    fn weight_limit_g(&self, service: Service, country: &str, zone: &str) -> Option<Grams> {
        if service.is_local() {
            return (country == "HK").then_some(match service {
                Service::LocalParcel => 20_000,
                Service::LocalCourierPost => 5_000,
                _ => 2_000,
            });
        }
        if country == "KP" {
            return None;
        }
        Some(match (service, country, zone) {
            (Service::EExpress, "US" | "FR", _) => 1_000,
            (Service::EExpress, _, _) => 2_000,
            (Service::Speedpost, "CN", _) => 40_000,
            (Service::Speedpost, _, _) => 30_000,
            (Service::AirParcel | Service::SurfaceParcel, "AU", "AU") => 20_000,
            (Service::AirParcel | Service::SurfaceParcel, _, _) => 30_000,
            _ => 2_000,
        })
    }
}

fn hk_sender() -> Party {
    Party {
        name: "Chan Tai Man".into(),
        company: "Satchel Trading Ltd".into(),
        lines: vec!["Flat A 3F".into(), "12 Rock Hill Street".into()],
        city: "Kennedy Town".into(),
        country: "HK".into(),
        phone: "+852 9123 4567".into(),
        email: "shop@example.com".into(),
        ..Party::default()
    }
}

fn line(desc: &str, grams: Grams, value: Decimal) -> ContentLine {
    ContentLine {
        description: desc.into(),
        quantity: 1,
        net_weight_g: grams,
        value,
        currency: "HKD".into(),
        hs_code: "62052000".into(),
        origin_country: "CN".into(),
    }
}

/// A clean Air Registered packet to the UK: validates with no problem at all.
fn ok() -> Shipment {
    Shipment {
        sender: hk_sender(),
        recipient: Party {
            name: "Jane Smith".into(),
            lines: vec!["10 Downing Street".into()],
            city: "London".into(),
            postcode: "SW1A 2AA".into(),
            country: "GB".into(),
            ..Party::default()
        },
        service: Service::AirRegistered(LetterFormat::Packet),
        zone: String::new(),
        parcel: Parcel {
            weight_g: 300,
            dimensions: None,
        },
        customs: Some(Customs {
            category: ContentCategory::SaleOfGoods,
            lines: vec![line("Mens cotton shirt", 250, dec!(200))],
            explanation: String::new(),
            invoice_no: "INV1".into(),
        }),
        insured_value: None,
        reference: "ORDER-1".into(),
        item_number: None,
        non_delivery: None,
    }
}

fn run(s: &Shipment) -> Vec<Problem> {
    validate_shipment(s, &Table, &RulesConfig::default())
}

fn codes(ps: &[Problem]) -> Vec<&'static str> {
    ps.iter().map(|p| p.code).collect()
}

fn customs_mut(s: &mut Shipment) -> &mut Customs {
    s.customs.as_mut().expect("fixture has customs")
}

fn to(country: &str, s: &mut Shipment) {
    s.recipient.country = country.into();
    s.recipient.postcode = match country {
        "US" => "95014".into(),
        _ => "10115".into(),
    };
}

fn dims(s: &mut Shipment, l: u32, w: u32, h: u32) {
    s.parcel.dimensions = Some(Dimensions {
        length: l,
        width: w,
        height: h,
    });
}

fn parcel(s: &mut Shipment) {
    s.service = Service::AirParcel;
    s.non_delivery = Some(NonDelivery::ReturnByAir);
    s.parcel.weight_g = 3_000;
}

/// Every problem's text renders in both languages with all placeholders filled.
fn assert_renders(ps: &[Problem]) {
    for p in ps {
        for loc in [Locale::En, Locale::ZhHk] {
            let text = p.message(loc);
            assert!(
                !text.is_empty() && !text.contains('{'),
                "{} {loc:?}: {text}",
                p.code
            );
            assert_ne!(text, p.message_key, "{} has no catalog text", p.code);
        }
    }
}

#[test]
fn the_clean_fixture_has_no_problems() {
    assert_eq!(run(&ok()), vec![]);
}

#[rstest]
#[case::r009_weight_missing(|s: &mut Shipment| s.parcel.weight_g = 0, "R-009.weight_missing", "parcel.weight_g")]
#[case::r093_not_served(|s: &mut Shipment| to("KP", s), "R-093.destination_not_served", "recipient.country")]
#[case::r093_local_service_abroad(|s: &mut Shipment| s.service = Service::LocalParcel, "R-093.destination_not_served", "recipient.country")]
#[case::r123_tariff_limit_eexpress_us(|s: &mut Shipment| { s.service = Service::EExpress; to("US", s); s.parcel.weight_g = 1_001; }, "R-123.over_weight_limit", "parcel.weight_g")]
#[case::r123_tariff_limit_parcel_au(|s: &mut Shipment| { parcel(s); to("AU", s); s.parcel.weight_g = 20_001; }, "R-123.over_weight_limit", "parcel.weight_g")]
#[case::r123_small_letter_50g(|s: &mut Shipment| { s.service = Service::AirRegistered(LetterFormat::SmallLetter); s.parcel.weight_g = 51; customs_mut(s).lines[0].net_weight_g = 40; }, "R-123.over_format_limit", "parcel.weight_g")]
#[case::r123_large_letter_500g(|s: &mut Shipment| { s.service = Service::SurfaceMail(LetterFormat::LargeLetter); s.parcel.weight_g = 501; }, "R-123.over_format_limit", "parcel.weight_g")]
#[case::r123_local_courierpost_5kg(|s: &mut Shipment| { s.service = Service::LocalCourierPost; s.recipient.country = "HK".into(); s.parcel.weight_g = 5_001; }, "R-123.over_weight_limit", "parcel.weight_g")]
#[case::r141_imail_item(|s: &mut Shipment| { s.service = Service::Imail; s.parcel.weight_g = 2_001; }, "R-141.imail_item_over_2kg", "parcel.weight_g")]
#[case::r169_sum_over_900(|s: &mut Shipment| dims(s, 500, 300, 200), "R-169.letter_sum_over_900", "parcel.dimensions")]
#[case::r169_longest_over_600(|s: &mut Shipment| dims(s, 610, 100, 20), "R-169.letter_longest_over_600", "parcel.dimensions")]
#[case::r169_below_minimum_short(|s: &mut Shipment| dims(s, 130, 100, 5), "R-169.letter_below_minimum", "parcel.dimensions")]
#[case::r169_below_minimum_narrow(|s: &mut Shipment| dims(s, 200, 80, 5), "R-169.letter_below_minimum", "parcel.dimensions")]
#[case::r169_imail_too(|s: &mut Shipment| { s.service = Service::Imail; dims(s, 700, 100, 50); }, "R-169.letter_longest_over_600", "parcel.dimensions")]
#[case::r172_length_over_xp(|s: &mut Shipment| { parcel(s); dims(s, 1_600, 100, 100); }, "R-172.parcel_length_over_xp", "parcel.dimensions")]
#[case::r172_girth_us_2750(|s: &mut Shipment| { parcel(s); s.customs.as_mut().unwrap().category = ContentCategory::Documents; to("US", s); dims(s, 1_000, 460, 430); }, "R-172.parcel_girth_over_xp", "parcel.dimensions")]
#[case::r172_girth_puerto_rico(|s: &mut Shipment| { parcel(s); to("PR", s); dims(s, 1_000, 460, 430); }, "R-172.parcel_girth_over_xp", "parcel.dimensions")]
#[case::r172_girth_other_3000(|s: &mut Shipment| { parcel(s); dims(s, 1_400, 410, 400); }, "R-172.parcel_girth_over_xp", "parcel.dimensions")]
#[case::r172_over_p_warning(|s: &mut Shipment| { parcel(s); dims(s, 1_100, 200, 200); }, "R-172.parcel_over_p", "parcel.dimensions")]
#[case::r172_gb_2780_is_p_warning(|s: &mut Shipment| { parcel(s); dims(s, 1_000, 460, 430); }, "R-172.parcel_over_p", "parcel.dimensions")]
#[case::r049_return_address_abroad(|s: &mut Shipment| s.sender.country = "CN".into(), "R-049.return_address_not_hk", "sender.country")]
#[case::r049_return_address_blank(|s: &mut Shipment| s.sender.country = String::new(), "R-049.return_address_not_hk", "sender.country")]
#[case::r051_mcn_line(|s: &mut Shipment| s.sender.lines[1] = "MCN: 0354 7901 (PLCMC)".into(), "R-051.mcn_return_address", "sender.lines[1]")]
#[case::r051_mcn_loose(|s: &mut Shipment| s.sender.city = "mcn 03547901".into(), "R-051.mcn_return_address", "sender.city")]
#[case::r038_customs_missing(|s: &mut Shipment| s.customs = None, "R-038.customs_missing", "customs")]
#[case::r063_us_goods(|s: &mut Shipment| to("US", s), "R-063.us_goods_suspended", "customs.category")]
#[case::r063_us_gift(|s: &mut Shipment| { to("US", s); customs_mut(s).category = ContentCategory::Gift; }, "R-063.us_goods_suspended", "customs.category")]
#[case::r064_us_zip_short(|s: &mut Shipment| { to("US", s); s.recipient.postcode = "9501".into(); }, "R-064.us_zip_invalid", "recipient.postcode")]
#[case::r064_us_zip_missing(|s: &mut Shipment| { to("US", s); s.recipient.postcode = String::new(); }, "R-064.us_zip_invalid", "recipient.postcode")]
#[case::r065_oe_from_ecship(|s: &mut Shipment| { to("US", s); customs_mut(s).category = ContentCategory::Documents; }, "R-065.office_of_exchange_from_ecship", "recipient.postcode")]
#[case::r069_description_punctuation(|s: &mut Shipment| { to("DE", s); customs_mut(s).lines[0].description = "Men's cotton shirt".into(); }, "R-069.not_plain_english", "customs.lines[0].description")]
#[case::r069_recipient_line_comma(|s: &mut Shipment| { to("FR", s); s.recipient.lines[0] = "10, rue de Rivoli".into(); }, "R-069.not_plain_english", "recipient.lines[0]")]
#[case::r069_sender_name_chinese(|s: &mut Shipment| { to("CH", s); s.sender.name = "陳大文 Chan".into(); }, "R-069.chinese_characters", "sender.name")]
#[case::r069_other_explanation(|s: &mut Shipment| { to("NO", s); let c = customs_mut(s); c.category = ContentCategory::Other; c.explanation = "repair/return".into(); }, "R-069.not_plain_english", "customs.explanation")]
#[case::r071_mobile_missing(|s: &mut Shipment| { to("DE", s); s.sender.phone = String::new(); }, "R-071.sms_mobile_missing", "sender.phone")]
#[case::r071_fixed_line_lenient(|s: &mut Shipment| { to("DE", s); s.sender.phone = "2123 4567".into(); }, "R-071.not_hk_mobile", "sender.phone")]
#[case::r071_foreign_number(|s: &mut Shipment| { to("DE", s); s.sender.phone = "+49 30 1234567".into(); }, "R-071.not_hk_mobile", "sender.phone")]
#[case::r071_pager(|s: &mut Shipment| { to("DE", s); s.sender.phone = "7112 3456".into(); }, "R-071.pager_block", "sender.phone")]
#[case::r071_pager_unallocated_7x(|s: &mut Shipment| { to("DE", s); s.sender.phone = "71234567".into(); }, "R-071.pager_block", "sender.phone")]
#[case::r071_personal(|s: &mut Shipment| { to("DE", s); s.sender.phone = "+852 8123 4567".into(); }, "R-071.personal_number_block", "sender.phone")]
#[case::r071_unknown_range(|s: &mut Shipment| { to("DE", s); s.sender.phone = "90012345".into(); }, "R-071.not_known_mobile_range", "sender.phone")]
#[case::r074_hs_dots(|s: &mut Shipment| customs_mut(s).lines[0].hs_code = "6205.20.00".into(), "R-074.hs_code_format", "customs.lines[0].hs_code")]
#[case::r074_hs_short(|s: &mut Shipment| customs_mut(s).lines[0].hs_code = "62052".into(), "R-074.hs_code_format", "customs.lines[0].hs_code")]
#[case::r074_hs_missing(|s: &mut Shipment| customs_mut(s).lines[0].hs_code = String::new(), "R-074.hs_code_missing", "customs.lines[0].hs_code")]
#[case::r080_speedpost_hs_required(|s: &mut Shipment| { s.service = Service::Speedpost; customs_mut(s).lines[0].hs_code = String::new(); }, "R-080.hs_code_required", "customs.lines[0].hs_code")]
#[case::r080_speedpost_sample_hs6(|s: &mut Shipment| { s.service = Service::Speedpost; let c = customs_mut(s); c.category = ContentCategory::CommercialSample; c.lines[0].hs_code = "620520".into(); }, "R-080.hs_code_not_8_digits", "customs.lines[0].hs_code")]
#[case::r082_speedpost_over_3000(|s: &mut Shipment| { s.service = Service::Speedpost; customs_mut(s).lines[0].value = dec!(3000.50); }, "R-082.cn23_required", "customs.lines")]
#[case::r076_other_needs_explanation(|s: &mut Shipment| customs_mut(s).category = ContentCategory::Other, "R-076.other_without_explanation", "customs.explanation")]
#[case::r076_goods_need_lines(|s: &mut Shipment| customs_mut(s).lines.clear(), "R-076.no_content_lines", "customs.lines")]
#[case::r076_description_missing(|s: &mut Shipment| customs_mut(s).lines[0].description = "  ".into(), "R-076.description_missing", "customs.lines[0].description")]
#[case::r076_quantity_zero(|s: &mut Shipment| customs_mut(s).lines[0].quantity = 0, "R-076.quantity_zero", "customs.lines[0].quantity")]
#[case::r076_value_negative(|s: &mut Shipment| customs_mut(s).lines[0].value = dec!(-1), "R-076.value_negative", "customs.lines[0].value")]
#[case::r076_net_over_gross(|s: &mut Shipment| customs_mut(s).lines[0].net_weight_g = 301, "R-076.net_weight_exceeds_gross", "customs.lines")]
#[case::r077_gift(|s: &mut Shipment| customs_mut(s).lines[0].description = "Gift".into(), "R-077.vague_description", "customs.lines[0].description")]
#[case::r077_parts(|s: &mut Shipment| customs_mut(s).lines[0].description = "parts".into(), "R-077.vague_description", "customs.lines[0].description")]
#[case::r077_sample(|s: &mut Shipment| customs_mut(s).lines[0].description = "Sample".into(), "R-077.vague_description", "customs.lines[0].description")]
#[case::r077_merchandise(|s: &mut Shipment| customs_mut(s).lines[0].description = "merchandise".into(), "R-077.vague_description", "customs.lines[0].description")]
#[case::r078_net_weight_missing(|s: &mut Shipment| customs_mut(s).lines[0].net_weight_g = 0, "R-078.net_weight_missing", "customs.lines[0].net_weight_g")]
#[case::r079_currency_blank(|s: &mut Shipment| customs_mut(s).lines[0].currency = String::new(), "R-079.currency_missing", "customs.lines[0].currency")]
#[case::r079_currency_lowercase(|s: &mut Shipment| customs_mut(s).lines[0].currency = "hkd".into(), "R-079.currency_missing", "customs.lines[0].currency")]
#[case::r079_mixed(|s: &mut Shipment| { let c = customs_mut(s); let mut l = line("Womens silk scarf", 20, dec!(50)); l.currency = "USD".into(); c.lines.push(l); }, "R-079.mixed_currencies", "customs.lines")]
#[case::r081_origin_missing(|s: &mut Shipment| customs_mut(s).lines[0].origin_country = String::new(), "R-081.origin_missing", "customs.lines[0].origin_country")]
#[case::r081_origin_format(|s: &mut Shipment| customs_mut(s).lines[0].origin_country = "China".into(), "R-081.origin_format", "customs.lines[0].origin_country")]
#[case::r088_parcel_chinese(|s: &mut Shipment| { parcel(s); to("SG", s); customs_mut(s).lines[0].description = "男裝恤衫".into(); }, "R-088.chinese_in_parcel_declaration", "customs.lines[0].description")]
#[case::r090_parcel_non_delivery(|s: &mut Shipment| { parcel(s); s.non_delivery = None; }, "R-090.non_delivery_missing", "non_delivery")]
#[case::r115_eexpress_over_declared(|s: &mut Shipment| { s.service = Service::EExpress; s.insured_value = Some(dec!(201)); }, "R-115.insured_over_declared", "insured_value")]
#[case::r115_not_hkd(|s: &mut Shipment| { s.service = Service::EExpress; customs_mut(s).lines[0].currency = "USD".into(); s.insured_value = Some(dec!(100)); }, "R-115.declared_not_hkd", "insured_value")]
#[case::r136_parcel_over_value(|s: &mut Shipment| { parcel(s); s.insured_value = Some(dec!(500)); }, "R-136.insured_over_declared", "insured_value")]
fn reports_the_rule(#[case] mutate: fn(&mut Shipment), #[case] code: &str, #[case] field: &str) {
    let mut s = ok();
    mutate(&mut s);
    let ps = run(&s);
    let hit = ps.iter().find(|p| p.code == code);
    let hit = hit.unwrap_or_else(|| panic!("{code} not reported; got {:?}", codes(&ps)));
    assert_eq!(hit.field, field);
    let def = RULES
        .iter()
        .find(|r| r.code == code)
        .expect("code is in RULES");
    assert_eq!(hit.severity, def.severity);
    assert!(code.starts_with(hit.rule));
    assert_renders(&ps);
}

#[rstest]
#[case::r123_exactly_at_limit(|s: &mut Shipment| { s.parcel.weight_g = 2_000; customs_mut(s).lines[0].net_weight_g = 1_900; }, "R-123.over_weight_limit")]
#[case::r093_zone_defaults_to_country(|s: &mut Shipment| { parcel(s); to("AU", s); s.zone = "AB".into(); s.parcel.weight_g = 25_000; }, "R-123.over_weight_limit")]
#[case::r169_exactly_900_and_600(|s: &mut Shipment| dims(s, 600, 200, 100), "R-169.letter_sum_over_900")]
#[case::r169_minimum_met(|s: &mut Shipment| dims(s, 140, 90, 1), "R-169.letter_below_minimum")]
#[case::r169_not_for_parcels(|s: &mut Shipment| { parcel(s); dims(s, 700, 300, 100); }, "R-169.letter_longest_over_600")]
#[case::r172_us_2700_fits_xp(|s: &mut Shipment| { parcel(s); customs_mut(s).category = ContentCategory::Documents; to("US", s); dims(s, 1_000, 450, 400); }, "R-172.parcel_girth_over_xp")]
#[case::r172_p_size_no_warning(|s: &mut Shipment| { parcel(s); dims(s, 1_000, 250, 240); }, "R-172.parcel_over_p")]
#[case::r063_documents_to_us_allowed(|s: &mut Shipment| { to("US", s); customs_mut(s).category = ContentCategory::Documents; }, "R-063.us_goods_suspended")]
#[case::r065_only_for_us(|_: &mut Shipment| {}, "R-065.office_of_exchange_from_ecship")]
#[case::r064_zip_plus4_ok(|s: &mut Shipment| { to("US", s); s.recipient.postcode = "22162-1010".into(); }, "R-064.us_zip_invalid")]
#[case::r069_not_outside_eu(|s: &mut Shipment| customs_mut(s).lines[0].description = "Men's cotton shirt".into(), "R-069.not_plain_english")]
#[case::r069_plain_text_to_eu(|s: &mut Shipment| to("DE", s), "R-069.not_plain_english")]
#[case::r071_mobile_to_eu(|s: &mut Shipment| to("DE", s), "R-071.not_known_mobile_range")]
#[case::r071_not_required_outside_eu(|s: &mut Shipment| s.sender.phone = String::new(), "R-071.sms_mobile_missing")]
#[case::r071_84x_is_mobile(|s: &mut Shipment| { to("DE", s); s.sender.phone = "84012345".into(); }, "R-071.personal_number_block")]
#[case::r071_70x_is_mobile(|s: &mut Shipment| { to("DE", s); s.sender.phone = "70712345".into(); }, "R-071.pager_block")]
#[case::r074_documents_need_no_hs(|s: &mut Shipment| { let c = customs_mut(s); c.category = ContentCategory::Documents; c.lines[0].hs_code = String::new(); }, "R-074.hs_code_missing")]
#[case::r080_not_for_gifts(|s: &mut Shipment| { s.service = Service::Speedpost; let c = customs_mut(s); c.category = ContentCategory::Gift; c.lines[0].hs_code = String::new(); }, "R-080.hs_code_required")]
#[case::r082_exactly_3000(|s: &mut Shipment| { s.service = Service::Speedpost; customs_mut(s).lines[0].value = dec!(3000); }, "R-082.cn23_required")]
#[case::r038_no_cn23_guess_without_sdr_figure(|s: &mut Shipment| customs_mut(s).lines[0].value = dec!(90000), "R-038.cn23_required")]
#[case::r038_local_needs_no_customs(|s: &mut Shipment| { s.service = Service::LocalParcel; s.recipient.country = "HK".into(); s.customs = None; }, "R-038.customs_missing")]
#[case::r077_specific_gift(|s: &mut Shipment| customs_mut(s).lines[0].description = "Birthday gift teddy bear".into(), "R-077.vague_description")]
#[case::r081_gift_needs_no_origin(|s: &mut Shipment| { let c = customs_mut(s); c.category = ContentCategory::Gift; c.lines[0].origin_country = String::new(); }, "R-081.origin_missing")]
#[case::r088_parcel_chinese_to_taiwan(|s: &mut Shipment| { parcel(s); to("TW", s); customs_mut(s).lines[0].description = "男裝恤衫".into(); }, "R-088.chinese_in_parcel_declaration")]
#[case::r090_not_for_letters(|_: &mut Shipment| {}, "R-090.non_delivery_missing")]
#[case::r115_insured_equal_to_declared(|s: &mut Shipment| { s.service = Service::EExpress; s.insured_value = Some(dec!(200)); }, "R-115.insured_over_declared")]
#[case::r049_hk_lowercase(|s: &mut Shipment| s.sender.country = "hk".into(), "R-049.return_address_not_hk")]
fn does_not_report_the_rule(#[case] mutate: fn(&mut Shipment), #[case] code: &str) {
    let mut s = ok();
    mutate(&mut s);
    let ps = run(&s);
    assert!(!codes(&ps).contains(&code), "{code} reported: {ps:?}");
    assert_renders(&ps);
}

#[test]
fn r123_only_the_tightest_weight_limit_is_reported() {
    let mut s = ok();
    s.service = Service::AirRegistered(LetterFormat::SmallLetter);
    s.parcel.weight_g = 2_500;
    customs_mut(&mut s).lines[0].net_weight_g = 100;
    let ps: Vec<_> = run(&s).into_iter().filter(|p| p.rule == "R-123").collect();
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].code, "R-123.over_format_limit");
    assert_eq!(ps[0].params["limit_g"], "50");
    assert_eq!(ps[0].params["weight_g"], "2500");
}

#[test]
fn r093_not_served_carries_service_country_and_zone() {
    let mut s = ok();
    to("KP", &mut s);
    let p = run(&s).into_iter().find(|p| p.rule == "R-093").unwrap();
    assert_eq!(p.params["service"], "air_registered.packet");
    assert_eq!(p.params["country"], "KP");
    assert_eq!(p.params["zone"], "KP");
}

#[test]
fn r038_cn23_over_configured_sdr_threshold() {
    let mut s = ok();
    customs_mut(&mut s).lines[0].value = dec!(2600);
    let cfg = RulesConfig {
        customs: CustomsThresholds {
            cn22_max_hkd: Some(dec!(2500)),
            ..Default::default()
        },
    };
    let ps = validate_shipment(&s, &Table, &cfg);
    let p = ps
        .iter()
        .find(|p| p.code == "R-038.cn23_required")
        .expect("CN23 warning");
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.params["limit"], "2500");
    assert_renders(&ps);
}

#[rstest]
#[case::r064_bare_nine_digits("221621010", Some("22162-1010"))]
#[case::r064_no_fix_for_garbage("ABC", None)]
fn r064_offers_a_normalised_zip(#[case] zip: &str, #[case] fix: Option<&str>) {
    let mut s = ok();
    to("US", &mut s);
    s.recipient.postcode = zip.into();
    let p = run(&s)
        .into_iter()
        .find(|p| p.code == "R-064.us_zip_invalid")
        .unwrap();
    assert_eq!(p.fix, fix.map(|v| Fix::Replace { value: v.into() }));
}

#[rstest]
#[case::r069_apostrophe(
    "Men's cotton shirt",
    "R-069.not_plain_english",
    Some("Mens cotton shirt")
)]
#[case::r069_mixed_chinese("恤衫 cotton shirt", "R-069.chinese_characters", Some("cotton shirt"))]
#[case::r069_only_chinese("恤衫", "R-069.chinese_characters", None)]
fn r069_fix_offers_cleaned_text(#[case] desc: &str, #[case] code: &str, #[case] fix: Option<&str>) {
    let mut s = ok();
    to("DE", &mut s);
    customs_mut(&mut s).lines[0].description = desc.into();
    let ps = run(&s);
    let p = ps
        .iter()
        .find(|p| p.field == "customs.lines[0].description" && p.rule == "R-069")
        .unwrap();
    assert_eq!(p.code, code);
    assert_eq!(p.fix, fix.map(|v| Fix::Replace { value: v.into() }));
    if p.code == "R-069.chinese_characters" {
        assert!(p.message(Locale::En).contains("Chinese characters"));
    }
}

#[test]
fn r069_fix_is_accepted_when_applied() {
    let mut s = ok();
    to("DE", &mut s);
    s.recipient.lines = vec!["Unter den Linden 77, 3. OG".into()];
    s.sender.lines = vec!["Flat A, 3/F".into(), "12 Rock Hill St.".into()];
    let ps = run(&s);
    assert_eq!(ps.iter().filter(|p| p.rule == "R-069").count(), 3);
    for p in ps.iter().filter(|p| p.rule == "R-069") {
        let Some(Fix::Replace { value }) = &p.fix else {
            panic!("no fix for {}", p.field)
        };
        match p.field.as_str() {
            "recipient.lines[0]" => s.recipient.lines[0] = value.clone(),
            "sender.lines[0]" => s.sender.lines[0] = value.clone(),
            "sender.lines[1]" => s.sender.lines[1] = value.clone(),
            f => panic!("unexpected field {f}"),
        }
    }
    assert_eq!(run(&s), vec![]);
}

#[test]
fn r074_fix_offers_digits_only() {
    let mut s = ok();
    customs_mut(&mut s).lines[0].hs_code = "6205.20.00".into();
    let p = run(&s)
        .into_iter()
        .find(|p| p.code == "R-074.hs_code_format")
        .unwrap();
    assert_eq!(
        p.fix,
        Some(Fix::Replace {
            value: "62052000".into()
        })
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = ok();
    s.sender.country = "CN".into();
    s.sender.lines.push("MCN: 0354 7901 (PLC)".into());
    to("US", &mut s);
    s.recipient.postcode = "123".into();
    s.parcel.weight_g = 0;
    let c = customs_mut(&mut s);
    c.lines[0].description = "gift".into();
    c.lines[0].hs_code = "12".into();
    c.lines[0].currency = String::new();
    c.lines.push(line("", 0, dec!(-5)));
    let ps = run(&s);
    let got: BTreeSet<_> = codes(&ps).into_iter().collect();
    for want in [
        "R-009.weight_missing",
        "R-049.return_address_not_hk",
        "R-051.mcn_return_address",
        "R-063.us_goods_suspended",
        "R-064.us_zip_invalid",
        "R-065.office_of_exchange_from_ecship",
        "R-074.hs_code_format",
        "R-076.description_missing",
        "R-076.value_negative",
        "R-077.vague_description",
        "R-079.currency_missing",
    ] {
        assert!(got.contains(want), "missing {want}: {got:?}");
    }
    assert_renders(&ps);
}

#[test]
fn every_rule_has_catalog_text_and_every_text_a_rule() {
    for r in RULES {
        assert!(
            messages::lookup(r.message_key).is_some(),
            "{} has no text",
            r.code
        );
        assert!(r.code.starts_with(&format!("{}.", r.rule)), "{}", r.code);
        assert!(
            (r.rule.starts_with("R-") || r.rule.starts_with("S-")) && r.rule.len() == 5,
            "{}",
            r.rule
        );
    }
    for m in messages::CATALOG {
        assert!(
            RULES.iter().any(|r| r.message_key == m.key),
            "orphan text {}",
            m.key
        );
    }
    let mut c: Vec<_> = RULES.iter().map(|r| r.code).collect();
    c.sort_unstable();
    let n = c.len();
    c.dedup();
    assert_eq!(c.len(), n, "duplicate codes");
}

#[test]
fn problems_serialise_for_the_ui() {
    let mut s = ok();
    s.sender.country = "CN".into();
    let json = serde_json::to_value(run(&s)).unwrap();
    assert_eq!(json[0]["code"], "R-049.return_address_not_hk");
    assert_eq!(json[0]["rule"], "R-049");
    assert_eq!(json[0]["field"], "sender.country");
    assert_eq!(json[0]["severity"], "error");
}

#[test]
fn shipment_deserialises_with_defaults() {
    let json = r#"{
        "sender": {"name": "A", "country": "HK"},
        "recipient": {"name": "B", "country": "GB"},
        "service": {"service": "speedpost"},
        "parcel": {"weight_g": 500}
    }"#;
    let s: Shipment = serde_json::from_str(json).unwrap();
    assert_eq!(s.zone_code(), "GB");
    assert_eq!(s.customs, None);
    assert_eq!(s.item_number, None);
    let back: Shipment = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

// ------------------------------------------------------------------------------------------
// Batches
// ------------------------------------------------------------------------------------------

fn batch(countries: &[(&str, usize)]) -> Vec<Shipment> {
    let mut v = Vec::new();
    for (c, n) in countries {
        for _ in 0..*n {
            let mut s = ok();
            s.recipient.country = (*c).into();
            s.reference = format!("R{}", v.len());
            v.push(s);
        }
    }
    v
}

#[rstest]
#[case::r034_three_countries_of_20(&[("GB", 20), ("JP", 20), ("AU", 20)], &[])]
#[case::r034_20_per_country_fine(&[("GB", 20)], &[])]
#[case::r034_21_per_country(&[("GB", 21), ("JP", 3)], &["R-034.over_20_per_country"])]
fn batch_limits(#[case] spec: &[(&str, usize)], #[case] want: &[&str]) {
    let ps = validate_batch(&batch(spec));
    assert_eq!(codes(&ps), want);
    assert!(ps.iter().all(|p| p.severity == Severity::Warning));
    assert_renders(&ps);
}

#[test]
fn r033_over_500_per_upload_is_a_warning_with_its_source() {
    let countries: Vec<(String, usize)> = (0..26)
        .map(|i| (format!("C{}", (b'A' + i) as char), 20))
        .collect();
    let spec: Vec<(&str, usize)> = countries.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    let shipments = batch(&spec);
    assert_eq!(shipments.len(), 520);
    let ps = validate_batch(&shipments);
    assert_eq!(codes(&ps), vec!["R-033.batch_over_500"]);
    assert_eq!(ps[0].params["source"], BATCH_LIMITS_SOURCE);
    assert_eq!(ps[0].params["count"], "520");
    assert!(ps[0].message(Locale::En).contains("EC-Ship FAQ"));
    let at_limit = &shipments[..500];
    assert!(validate_batch(at_limit).is_empty());
}

#[test]
fn r034_reports_the_country() {
    let ps = validate_batch(&batch(&[("US", 25)]));
    assert_eq!(ps[0].field, "batch[country=US]");
    assert_eq!(ps[0].params["count"], "25");
}

#[test]
fn r003_duplicate_references_and_r085_duplicate_item_numbers() {
    let mut v = batch(&[("GB", 3)]);
    v[2].reference = v[0].reference.clone();
    let n = ItemNumber::parse("RB123456785HK").unwrap();
    v[0].item_number = Some(n.clone());
    v[1].item_number = Some(n);
    let ps = validate_batch(&v);
    assert_eq!(
        codes(&ps),
        vec!["R-085.duplicate_item_number", "R-003.duplicate_reference"]
    );
    assert_eq!(ps[0].field, "batch[1].item_number");
    assert_eq!(ps[0].severity, Severity::Error);
    assert_eq!(ps[1].field, "batch[2].reference");
    assert_eq!(ps[1].params["first"], "1");
    assert_renders(&ps);
}

// ------------------------------------------------------------------------------------------
// iMail postings
// ------------------------------------------------------------------------------------------

/// `per` items of `grams` to each destination, each destination in its own bag.
fn posting(dests: &[(&str, usize, Grams)]) -> Posting {
    let mut p = Posting {
        permit_no: "PM123".into(),
        ..Posting::default()
    };
    for (bi, (d, n, g)) in dests.iter().enumerate() {
        let number = bi as u32 + 1;
        p.bags.push(Bag {
            number,
            destination: (*d).into(),
            weight_g: None,
        });
        for _ in 0..*n {
            p.items.push(PostingItem {
                reference: format!("I{}", p.items.len()),
                destination: (*d).into(),
                weight_g: *g,
                bag: Some(number),
            });
        }
    }
    p
}

#[rstest]
#[case::r138_ok_20_items(posting(&[("US", 5, 150), ("GB", 5, 150), ("DE", 5, 150), ("JP", 5, 150)]), &[])]
#[case::r140_boundary_2kg_100g_avg(posting(&[("US", 20, 100)]), &[])]
#[case::r138_19_items(posting(&[("US", 19, 150)]), &["R-138.posting_under_20_items"])]
#[case::r138_4_to_one_destination(posting(&[("US", 16, 150), ("GB", 4, 150)]), &["R-138.destination_under_5_items"])]
#[case::r139_average_under_100g(posting(&[("US", 30, 99)]), &["R-139.average_under_100g"])]
#[case::r139_r140_light_posting(posting(&[("US", 20, 99)]), &["R-139.average_under_100g", "R-140.posting_under_2kg"])]
#[case::r142_uk_bag_over_20kg(posting(&[("GB", 11, 2_000), ("US", 10, 150)]), &["R-142.bag_over_limit"])]
#[case::r142_ch_bag_over_20kg(posting(&[("CH", 11, 2_000), ("US", 10, 150)]), &["R-142.bag_over_limit"])]
#[case::r142_us_bag_22kg_ok(posting(&[("US", 11, 2_000), ("JP", 10, 150)]), &[])]
#[case::r142_us_bag_over_30kg(posting(&[("US", 16, 2_000), ("JP", 5, 150)]), &["R-142.bag_over_limit"])]
fn posting_rules(#[case] p: Posting, #[case] want: &[&str]) {
    let ps = validate_posting(&p);
    assert_eq!(codes(&ps), want);
    assert!(ps.iter().all(|p| p.severity == Severity::Error));
    assert_renders(&ps);
}

#[test]
fn r141_item_over_2kg_and_weight_missing() {
    let mut p = posting(&[("US", 20, 150)]);
    p.items[3].weight_g = 2_001;
    p.items[4].weight_g = 0;
    let ps = validate_posting(&p);
    assert_eq!(
        codes(&ps),
        vec!["R-141.imail_item_over_2kg", "R-009.weight_missing"]
    );
    assert_eq!(ps[0].field, "items[3].weight_g");
    assert_eq!(ps[1].field, "items[4].weight_g");
}

#[test]
fn r142_weighed_bag_weight_prevails() {
    let mut p = posting(&[("US", 20, 150)]);
    p.bags[0].weight_g = Some(30_001);
    let ps = validate_posting(&p);
    assert_eq!(codes(&ps), vec!["R-142.bag_over_limit"]);
    assert_eq!(ps[0].params["limit_g"], "30000");
}

#[test]
fn r148_one_destination_per_bag() {
    let mut p = posting(&[("US", 10, 150), ("GB", 10, 150)]);
    p.items[0].bag = Some(2); // a US item in the GB bag
    let ps = validate_posting(&p);
    assert_eq!(
        codes(&ps),
        vec!["R-148.item_not_bag_destination", "R-148.mixed_destinations"]
    );
    assert_eq!(ps[0].field, "items[0].bag");
    assert_eq!(ps[1].field, "bags[1]");
    assert_eq!(ps[1].params["destinations"], "GB, US");
    assert_renders(&ps);
}

#[test]
fn r148_unknown_and_duplicate_bags_and_r149_residual_bag() {
    let mut p = posting(&[("US", 10, 150), ("GB", 10, 150)]);
    p.items[0].bag = Some(9);
    p.bags.push(Bag {
        number: 2,
        destination: "GB".into(),
        weight_g: None,
    });
    p.bags.push(Bag {
        number: 3,
        destination: String::new(),
        weight_g: None,
    });
    let got = codes(&validate_posting(&p));
    for want in [
        "R-148.unknown_bag",
        "R-148.duplicate_bag_number",
        "R-149.bag_without_destination",
    ] {
        assert!(got.contains(&want), "missing {want}: {got:?}");
    }
}

proptest! {
    // R-138–R-142: a posting built to the rules (≥ 5 items to each of ≥ 4 destinations,
    // 100 g–2 kg each, one bag per destination under its limit) has no problem.
    #[test]
    fn compliant_postings_pass(
        dests in proptest::sample::subsequence(vec!["US", "GB", "DE", "JP", "CH", "AU"], 4..=6),
        per in 5usize..=9,
        grams in 100u32..=2_000,
    ) {
        let spec: Vec<(&str, usize, Grams)> = dests.iter().map(|d| (*d, per, grams)).collect();
        let p = posting(&spec);
        let over_bag = spec.iter().any(|(d, n, g)| (*n as u64) * u64::from(*g) > u64::from(imail_bag_limit_g(d)));
        let ps = validate_posting(&p);
        if over_bag {
            prop_assert!(ps.iter().all(|p| p.code == "R-142.bag_over_limit"));
        } else {
            prop_assert!(ps.is_empty(), "{:?}", ps);
        }
    }

    // Every problem names a rule in RULES and renders in both languages, for any
    // weight and dimensions.
    #[test]
    fn any_shipment_yields_known_renderable_problems(
        w in 0u32..40_000, l in 0u32..2_000, wd in 0u32..800, h in 0u32..800,
        svc in proptest::sample::select(Service::all()),
        country in proptest::sample::select(vec!["US", "GB", "DE", "HK", "KP", "CN"]),
    ) {
        let mut s = ok();
        s.service = svc;
        s.parcel.weight_g = w;
        dims(&mut s, l, wd, h);
        s.recipient.country = country.into();
        let ps = run(&s);
        for p in &ps {
            prop_assert!(RULES.iter().any(|r| r.code == p.code));
        }
        assert_renders(&ps);
    }
}

fn party(name: &str, line: &str, country: &str) -> Party {
    Party {
        name: name.into(),
        lines: vec![line.into()],
        country: country.into(),
        ..Party::default()
    }
}

fn codes_of(ps: &[Problem]) -> Vec<&'static str> {
    ps.iter().map(|p| p.code).collect()
}

#[test]
fn sender_profile_must_be_in_hong_kong_and_not_an_mcn() {
    let ok = party("Chan Tai Man", "1 Nathan Road", "HK");
    assert!(validate_party(Role::Sender, &ok).is_empty());
    let abroad = party("Chan Tai Man", "1 Oxford St", "GB");
    let ps = validate_party(Role::Sender, &abroad);
    assert_eq!(codes_of(&ps), ["R-049.return_address_not_hk"]);
    assert_eq!(ps[0].field, "country");
    let mcn = party("Chan", "MCN: 0354 7901 (PLCMC)", "HK");
    let ps = validate_party(Role::Sender, &mcn);
    assert_eq!(codes_of(&ps), ["R-051.mcn_return_address"]);
    assert_eq!(ps[0].field, "lines[0]");
}

#[test]
fn recipient_needs_a_name_an_address_and_a_real_country() {
    let ps = validate_party(Role::Recipient, &party(" ", " ", "XX"));
    assert_eq!(
        codes_of(&ps),
        [
            "S-001.name_missing",
            "S-002.address_missing",
            "S-003.country_unknown"
        ]
    );
    assert!(ps[2].message(Locale::En).contains("\"XX\""));
    // A company alone is enough to deliver to.
    let mut firm = party("", "1-2-3 Ginza", "JP");
    firm.company = "山田商店".into();
    assert!(validate_party(Role::Recipient, &firm).is_empty());
}

#[test]
fn us_recipient_zip_is_checked_with_a_fix() {
    let mut p = party("Ann", "1 Main St", "us");
    p.postcode = "1000".into();
    let ps = validate_party(Role::Recipient, &p);
    assert_eq!(codes_of(&ps), ["R-064.us_zip_invalid"]);
    p.postcode = "10001".into();
    assert!(validate_party(Role::Recipient, &p).is_empty());
}

#[test]
fn shipment_without_recipient_name_is_an_error_on_that_field() {
    let mut s = ok();
    s.recipient.name.clear();
    s.recipient.company.clear();
    let ps = run(&s);
    assert!(ps
        .iter()
        .any(|p| p.code == "S-001.name_missing" && p.field == "recipient.name"));
}

#[test]
fn r144_r203_the_permit_is_required_and_is_a_pm_number() {
    let mut p = posting(&[("US", 20, 150)]);
    assert!(validate_posting(&p).is_empty(), "PM123 is a permit number");
    p.permit_no = "PM 0012-345".into();
    assert!(
        validate_posting(&p).is_empty(),
        "spaces and hyphens are allowed"
    );
    p.permit_no = "PP123".into();
    let ps = validate_posting(&p);
    assert_eq!(codes(&ps), vec!["R-203.permit_format"]);
    assert_eq!(ps[0].field, "permit_no");
    p.permit_no = "  ".into();
    assert_eq!(codes(&validate_posting(&p)), vec!["R-144.permit_missing"]);
    assert_renders(&validate_posting(&p));
}

#[test]
fn r186_an_mcn_line_to_a_hong_kong_recipient_must_be_in_the_counter_s_form() {
    let mut s = ok();
    s.service = Service::LocalParcel;
    s.customs = None;
    s.recipient = Party {
        name: "Chan Tai Man".into(),
        lines: vec!["mcn 03547901 plcmc".into()],
        country: "HK".into(),
        ..Party::default()
    };
    let ps = validate_party(Role::Recipient, &s.recipient);
    assert_eq!(codes(&ps), vec!["R-186.mcn_line_format"]);
    assert_eq!(ps[0].field, "lines[0]");
    assert!(run(&s).iter().any(|p| p.code == "R-186.mcn_line_format"));
    s.recipient.lines = vec!["MCN: 0354 7901 (PLCMC)".into()];
    assert!(!run(&s).iter().any(|p| p.code == "R-186.mcn_line_format"));
    assert_renders(&ps);
}
