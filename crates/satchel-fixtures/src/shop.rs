//! Shop order exports in each platform's real layout (issue #14): the header rows exactly as
//! the platforms write them (see `docs/shop-exports.md` for the sources), with made-up
//! customers. Between them: multi-line orders, a cancelled order, a line that needs no
//! shipping, Chinese names and addresses, full-width characters, an apostrophe ZIP, a US
//! order with goods, eBay's blank first line, padding row and footer.

use rust_decimal::Decimal;
use satchel_core::catalogue::Product;
use satchel_core::model::ContentCategory;

/// Shopify: Orders → Export. #1001 two lines to Japan; #1002 a scarf to Boston (ZIP
/// `'02134`); #1003 cancelled and refunded; #1004 to Taipei in Chinese, with a gift card line.
pub const SHOPIFY: &str = include_str!("../data/shop/shopify-orders_export.csv");
/// WooCommerce Customer/Order/Coupon Export, one row per item: 2041 two lines to Berlin,
/// 2042 cancelled, 2043 with no shipping address.
pub const WOOCOMMERCE: &str = include_str!("../data/shop/woocommerce-orders-export.csv");
/// Etsy Sold Order Items: 3301001 two items (rows apart) to Paris, 3301002 to Singapore,
/// 3301003 already shipped.
pub const ETSY_ITEMS: &str = include_str!("../data/shop/etsy-EtsySoldOrderItems2026-12.csv");
/// eBay orders report: 07-13001-00001 one item to Sydney; 07-13001-00002 a summary row and
/// two items to Auckland.
pub const EBAY: &str = include_str!("../data/shop/ebay-orders-report.csv");
/// SHOPLINE order report (Chinese headers) saved as CSV: #20261204001 two items to Taipei,
/// #20261204002 cancelled.
pub const SHOPLINE: &str = include_str!("../data/shop/shopline-order-report.csv");
/// The same report as SHOPLINE writes it: an Excel workbook (shared strings, numbers as
/// numbers, the order date as an Excel serial with a date format).
pub const SHOPLINE_XLSX: &[u8] = include_bytes!("../data/shop/shopline-order-report.xlsx");

/// The two products every fixture sells.
pub fn catalogue() -> Vec<Product> {
    vec![
        Product {
            sku: "SCARF-JADE".into(),
            description_en: "Silk scarf".into(),
            description_zh: "真絲圍巾".into(),
            hs_code: "62141000".into(),
            origin: "CN".into(),
            unit_weight_g: 120,
            unit_value: Decimal::from(180),
            currency: "HKD".into(),
            category: ContentCategory::SaleOfGoods,
            eu_ok: true,
        },
        Product {
            sku: "TEA-PUER".into(),
            description_en: "Pu-erh tea leaves in a tin".into(),
            description_zh: "普洱茶罐".into(),
            hs_code: "09024000".into(),
            origin: "CN".into(),
            unit_weight_g: 250,
            unit_value: Decimal::from(200),
            currency: "HKD".into(),
            category: ContentCategory::SaleOfGoods,
            eu_ok: true,
        },
    ]
}
