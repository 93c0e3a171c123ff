//! Every string the user reads goes through here, in English and Traditional Chinese (zh-HK).
//!
//! Keys are an enum, so a screen cannot ask for a string that has no translation, and the
//! match below cannot compile with one language missing.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    ZhHk,
}

impl Locale {
    /// The BCP 47 tag, used for `<html lang>` and for persisting the choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHk => "zh-HK",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        match tag {
            "en" => Some(Locale::En),
            "zh-HK" => Some(Locale::ZhHk),
            _ => None,
        }
    }
}

/// The current locale, provided once by the app frame.
pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<RwSignal<Locale>>()
}

/// A reactive translation of `key`, for use directly in `view!`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move || key.text(locale.get())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppTagline,
    NavHome,
    HomeTitle,
    HomeHelp,
    HomeProblems,
    HomeDrafts,
    HomeReady,
    HomeWaiting,
    HomeToPrint,
    HomeToPost,
    HomeInTransit,
    HomeReminders,
    HomeNoReminders,
    HomeAllReminders,
    HomeBeforePosting,
    HomeTariff,
    HomeTariffOld,
    HomeSync,
    HomeSyncOff,
    HomeSyncLast,
    HomeSyncNever,
    HomeNeedsSetup,
    HomeFinishSetup,
    ReminderLabel,
    ReminderTrace,
    ReminderClaim,
    DaysToday,
    DaysTomorrow,
    DaysIn,
    DaysAgo,
    ShowingOnly,
    ShowAll,
    SetupTitle,
    SetupHelp,
    SetupStepLanguage,
    SetupStepSender,
    SetupStepPrefs,
    SetupStepOnline,
    SetupLanguageHelp,
    SetupSenderHelp,
    SetupPrefsHelp,
    SetupOnlineHelp,
    SetupOpenEcship,
    SetupOpenSync,
    SetupNext,
    SetupBack,
    SetupFinish,
    SetupSaved,
    SetupKept,
    DateHint,
    DateInvalid,
    NavItemCheck,
    NavQuote,
    Online,
    Offline,
    Language,
    ItemCheckTitle,
    ItemCheckHelp,
    ItemNumberLabel,
    Check,
    Valid,
    Invalid,
    Indicator,
    Serial,
    Country,
    Kind,
    CallFailed,
    QuoteTitle,
    QuoteHelp,
    Destination,
    DestinationPlaceholder,
    WeightGrams,
    LengthMm,
    WidthMm,
    HeightMm,
    Contents,
    Compare,
    Service,
    Estimate,
    Counter,
    Delivery,
    TariffDate,
    TariffStale,
    TariffsTitle,
    TariffsNewest,
    TariffsStaleWarning,
    TariffsAddress,
    TariffsCheck,
    TariffsChecking,
    TariffsLoadFile,
    TariffsNewFile,
    TariffsUnchanged,
    TariffsNotChecked,
    TariffsNothingNew,
    TariffsFiles,
    TariffsSuperseded,
    ExcludedTitle,
    NoOptions,
    Unknown,
    PostingDate,
    PickDestination,
    NavContacts,
    NavShipments,
    NavNewShipment,
    ContactsTitle,
    ContactsHelp,
    Search,
    ContactSearchPlaceholder,
    AllKinds,
    Recipients,
    SenderProfiles,
    AllTags,
    NoContacts,
    NewContact,
    EditContact,
    Name,
    Company,
    Line1,
    Line2,
    Line3,
    City,
    StateProvince,
    Postcode,
    CountryCode,
    Phone,
    Email,
    Notes,
    Tags,
    ContactKindLabel,
    Recipient,
    SenderProfile,
    DefaultSender,
    Default,
    Save,
    Delete,
    Saved,
    Deleted,
    NotSaved,
    OtherProblems,
    ExportCsv,
    ExportReady,
    ImportTitle,
    ImportHelp,
    ImportWhat,
    ImportFile,
    IgnoreColumn,
    Row,
    RowProblems,
    DuplicateOf,
    DuplicatePolicy,
    PolicyReview,
    PolicyKeep,
    PolicyOverwrite,
    RunImport,
    ImportProgressLabel,
    DownloadReport,
    ShipmentsTitle,
    ShipmentsHelp,
    StateLabel,
    AllStates,
    DateFrom,
    DateTo,
    DestinationCode,
    SelectAll,
    Select,
    Reference,
    Weight,
    Created,
    Problems,
    NoShipments,
    EditShipment,
    EditorHelp,
    FindRecipient,
    RecipientSearchPlaceholder,
    NewAddress,
    Sender,
    NoSenderProfiles,
    ChooseService,
    Zone,
    Parcel,
    Explanation,
    Currency,
    ContentLines,
    Description,
    Quantity,
    LineValue,
    HsCode,
    Origin,
    NetWeight,
    AddLine,
    RemoveLine,
    InsuredValue,
    NonDelivery,
    NotChosen,
    ReturnByAir,
    ReturnBySurface,
    Abandon,
    SaveDraft,
    MarkReady,
    CopyAsNew,
    Checking,
    NoProblems,
    Use,
    QuotesTitle,
    QuotesWaiting,
    StoredQuote,
    Copied,
    PrintSelected,
    PrintTitle,
    PrintHelp,
    LabelFormat,
    Printer,
    StartPosition,
    PrintPreview,
    PrintRun,
    PrintProgressLabel,
    Close,
    NoPrinters,
    LoadingPreview,
    PostingSelected,
    PostingTitle,
    PostingHelp,
    PermitNumber,
    PostingDay,
    PostingDocument,
    NavEcship,
    EcshipTitle,
    EcshipHelp,
    EcshipAddresses,
    EcshipPresetTrial,
    EcshipPresetProduction,
    EcshipBaseUrl,
    EcshipTrackingUrl,
    EcshipAccount,
    EcshipUsername,
    EcshipHkpId,
    EcshipIdentity,
    IdentityUsername,
    IdentityHkpId,
    IdentityBoth,
    EcshipSecrets,
    EcshipIntegrator,
    EcshipApiKeyLabel,
    EcshipKeyStored,
    EcshipNoKeyStored,
    EcshipLookup,
    EcshipLookupHelp,
    EcshipSearchType,
    EcshipSortOrder,
    SevereWeatherToday,
    PermitNumberImail,
    PostingFromEcship,
    EdiAccept,
    PostageDiffers,
    PostageSatchel,
    PostageEcship,
    PostageAccept,
    EcshipCodes,
    EcshipCodesHelp,
    EcshipShipCodes,
    EcshipNonDeliveryCodes,
    CodeConfigured,
    CodePublicClient,
    CodeUnverified,
    CodeMissing,
    EcshipSpeedpostRoute,
    RouteSoaz,
    RoutePosting,
    EcshipSoazService,
    FamEExpress,
    FamSpeedpost,
    FamAirRegistered,
    FamSurfaceRegistered,
    FamAirParcel,
    FamSurfaceParcel,
    FamImail,
    FamLocalParcel,
    FamLocalCourierPost,
    EcshipKeychain,
    EcshipKeychainBad,
    Loading,
    SubmitSelected,
    SubmitProgressLabel,
    EcshipStatus,
    Actions,
    Retry,
    CancelSubmission,
    Tracking,
    Refused,
    TrackingTitle,
    TrackingRefresh,
    TrackingNone,
    TrackingRefreshFailed,
    TrackingWhen,
    TrackingWhat,
    TrackingWhere,
    Preprinted,
    PreprintedHelp,
    Attach,
    Attached,
    NavSync,
    SyncTitle,
    SyncHelp,
    SyncCreateTitle,
    SyncCreateHelp,
    SyncHubUrl,
    SyncDeviceName,
    SyncDeviceNamePlaceholder,
    SyncCreate,
    SyncJoinTitle,
    SyncJoinHelp,
    SyncCode,
    SyncJoin,
    SyncRestoreTitle,
    SyncRestoreHelp,
    SyncPhrase,
    SyncRestore,
    SyncPhraseTitle,
    SyncPhraseHelp,
    SyncPhraseConfirm,
    SyncPhraseDone,
    SyncStatusTitle,
    SyncHub,
    SyncLast,
    SyncNever,
    SyncPending,
    SyncLastError,
    SyncRunning,
    SyncNow,
    SyncHistory,
    SyncNoHistory,
    SyncOfferTitle,
    SyncOfferHelp,
    SyncNewDeviceName,
    SyncNewDevicePlaceholder,
    SyncOffer,
    SyncExpires,
    SyncQr,
    SyncDevicesTitle,
    SyncThisDevice,
    SyncRevoked,
    SyncRevoke,
    SyncRevokeConfirm,
    SyncRemovalAsked,
    SyncRemovalPending,
    SyncPhraseChanged,
    SyncPhraseShow,
    SyncAwaiting,
    SyncAwaitingHelp,
    SyncAwaitingCheck,
    SyncAwaitingCancel,
    SyncAsksToJoin,
    SyncApprove,
    SyncApproved,
    SyncAdded,
    Cancel,
    SyncUnlinkTitle,
    SyncUnlinkHelp,
    SyncUnlink,
    SyncUnlinkConfirm,
    SyncIndicatorOff,
    SyncIndicatorNever,
    SyncIndicatorFailed,
    SyncIndicatorWaiting,
    SyncIndicatorSynced,
    SyncIndicatorLabel,
    LockTitle,
    LockHelp,
    LockAfter,
    LockOff,
    LockPinNew,
    LockPinSet,
    LockNoPin,
    LockNow,
    LockedTitle,
    LockedHelp,
    LockPin,
    Unlock,
}

impl Key {
    pub fn text(self, locale: Locale) -> &'static str {
        let (en, zh) = match self {
            Key::AppTagline => ("Shipping for Hong Kong merchants", "香港商戶寄件好幫手"),
            Key::NavHome => ("Today", "今日"),
            Key::HomeTitle => ("Today", "今日待辦"),
            Key::HomeHelp => ("What needs doing, in the order you do it. Each line opens its list.", "按工作次序列出待辦事項，按一行即開啟相關清單。"),
            Key::HomeProblems => ("Drafts with problems", "有問題的草稿"),
            Key::HomeDrafts => ("Drafts to check and mark ready", "待檢查的草稿"),
            Key::HomeReady => ("Ready to submit to EC-Ship", "可提交至 EC-Ship"),
            Key::HomeWaiting => ("Waiting for EC-Ship", "等待 EC-Ship 回覆"),
            Key::HomeToPrint => ("Labels to print", "待列印標籤"),
            Key::HomeToPost => ("To post", "待投寄"),
            Key::HomeInTransit => ("In transit", "運送中"),
            Key::HomeReminders => ("Reminders", "提示"),
            Key::HomeNoReminders => ("Nothing due in the next 7 days.", "未來 7 日沒有到期事項。"),
            Key::HomeAllReminders => ("Show these shipments", "顯示這些郵件"),
            Key::HomeBeforePosting => ("Before posting today", "今日投寄前"),
            Key::HomeTariff => ("Postage rates in force from", "現行郵費生效日期"),
            Key::HomeTariffOld => ("These rates are old: check for newer ones on the Postage screen.", "郵費資料已過時：請在「郵費」頁檢查更新。"),
            Key::HomeSync => ("Sync", "同步"),
            Key::HomeSyncOff => ("Not linked to your other devices.", "未與其他裝置連結。"),
            Key::HomeSyncLast => ("Last synced", "上次同步"),
            Key::HomeSyncNever => ("Not synced yet", "尚未同步"),
            Key::HomeNeedsSetup => ("Set up your sender profile first: imports and submissions need it.", "請先設定寄件人資料：匯入及提交都需要它。"),
            Key::HomeFinishSetup => ("Finish setup", "完成設定"),
            Key::ReminderLabel => ("Last day to post", "最後投寄日"),
            Key::ReminderTrace => ("Tracing opens", "可開始查詢"),
            Key::ReminderClaim => ("Last day to claim", "最後索償日"),
            Key::DaysToday => ("today", "今日"),
            Key::DaysTomorrow => ("tomorrow", "明日"),
            Key::DaysIn => ("in %d days", "%d 日後"),
            Key::DaysAgo => ("%d days ago", "%d 日前"),
            Key::ShowingOnly => ("Showing only:", "只顯示："),
            Key::ShowAll => ("Show all", "顯示全部"),
            Key::SetupTitle => ("Set up Satchel", "設定 Satchel"),
            Key::SetupHelp => ("A few minutes, once. You can leave and come back: what you type is kept.", "只需幾分鐘，只做一次。可隨時離開，已輸入的資料會保留。"),
            Key::SetupStepLanguage => ("1. Language", "1. 語言"),
            Key::SetupStepSender => ("2. You, the sender", "2. 寄件人資料"),
            Key::SetupStepPrefs => ("3. Services and printers", "3. 服務及打印機"),
            Key::SetupStepOnline => ("4. EC-Ship and sync", "4. EC-Ship 及同步"),
            Key::SetupLanguageHelp => ("The language of the app. You can switch at any time from the top bar.", "應用程式的語言，可隨時在頂部切換。"),
            Key::SetupSenderHelp => ("Your name and Hong Kong return address in English (items to the EU, Switzerland and Norway need English), and a Hong Kong mobile that can receive Hongkong Post's SMS (R-071).", "請以英文填寫姓名及香港回郵地址（寄往歐盟、瑞士及挪威的郵件須用英文），以及可接收香港郵政短訊的香港手提電話號碼（R-071）。"),
            Key::SetupPrefsHelp => ("Optional: your usual box and the services to prefer, here or later in the address book's catalogue panel. Each label size prints on the printer it last printed on; choose it in the print panel the first time.", "可選：常用包裝盒及首選服務，可在此或稍後於通訊錄的貨品目錄設定。各標籤尺寸會使用上次列印的打印機；第一次請在列印面板選擇。"),
            Key::SetupOnlineHelp => ("Optional, and only when you are online: connect EC-Ship to submit shipments and get the operator's labels, and link your other devices. Both are on their own screens whenever you want them.", "可選，只在連線時使用：連接 EC-Ship 以提交郵件及取得官方標籤，並連結其他裝置。兩者隨時可在各自的頁面設定。"),
            Key::SetupOpenEcship => ("Set up EC-Ship now", "立即設定 EC-Ship"),
            Key::SetupOpenSync => ("Link devices now", "立即連結裝置"),
            Key::SetupNext => ("Next", "下一步"),
            Key::SetupBack => ("Back", "上一步"),
            Key::SetupFinish => ("Finish and go to Today", "完成並前往今日"),
            Key::SetupKept => ("Everything typed so far is kept.", "已保留目前輸入的所有資料。"),
            Key::SetupSaved => ("Sender profile saved as your default.", "已將寄件人資料設為預設。"),
            Key::DateHint => ("DD/MM/YYYY", "日/月/年"),
            Key::DateInvalid => ("Not a date: type it day first (DD/MM/YYYY) or as YYYY-MM-DD.", "不是日期：請以 日/月/年 或 YYYY-MM-DD 輸入。"),
            Key::NavItemCheck => ("Item number", "郵件編號"),
            Key::NavQuote => ("Postage", "郵費"),
            Key::Online => ("Online", "在線"),
            Key::Offline => ("Offline", "離線"),
            Key::Language => ("中文", "English"),
            Key::ItemCheckTitle => ("Check an item number", "檢查郵件編號"),
            Key::ItemCheckHelp => (
                "Type or scan a 13-character item number, e.g. LX123456785HK.",
                "輸入或掃描 13 位郵件編號，例如 LX123456785HK。",
            ),
            Key::ItemNumberLabel => ("Item number", "郵件編號"),
            Key::Check => ("Check", "檢查"),
            Key::Valid => ("Valid item number", "郵件編號有效"),
            Key::Invalid => ("Not a valid item number", "郵件編號無效"),
            Key::Indicator => ("Service indicator", "服務代號"),
            Key::Serial => ("Serial number", "序號"),
            Key::Country => ("Issuing post", "發出郵政"),
            Key::Kind => ("Kind of mail", "郵件類別"),
            Key::CallFailed => ("The app could not answer", "程式未能回應"),
            Key::QuoteTitle => ("Postage and services", "郵費及服務比較"),
            Key::QuoteHelp => (
                "Prices come from the operator's published rate files, shown with their date. The counter rounds the total down to HK$0.10.",
                "郵費按營辦商公布的郵費資料計算，並註明資料日期。櫃位收費總額向下調整至最接近的一角。",
            ),
            Key::Destination => ("Destination", "目的地"),
            Key::DestinationPlaceholder => ("Country or region, e.g. Japan or 日本", "國家或地區，例如 日本 或 Japan"),
            Key::WeightGrams => ("Weight (g)", "重量（克）"),
            Key::LengthMm => ("Length (mm)", "長（毫米）"),
            Key::WidthMm => ("Width (mm)", "闊（毫米）"),
            Key::HeightMm => ("Height (mm)", "高（毫米）"),
            Key::Contents => ("Contents", "內容"),
            Key::Compare => ("Compare services", "比較服務"),
            Key::Service => ("Service", "服務"),
            Key::Estimate => ("Postage (HK$)", "郵費（港元）"),
            Key::Counter => ("At the counter (HK$)", "櫃位收費（港元）"),
            Key::Delivery => ("Delivery", "派遞時間"),
            Key::TariffDate => ("Rates dated", "郵費資料日期"),
            Key::TariffStale => ("old rates", "郵費資料過時"),
            Key::TariffsTitle => ("Postage rates in use", "使用中的郵費資料"),
            Key::TariffsNewest => ("Newest rates in force:", "最新生效的郵費資料："),
            Key::TariffsStaleWarning => ("Some rates in use are more than 12 months old or known to be superseded: prices may be out of date. Check for new rates when online; EC-Ship confirms the price when you submit.", "部分使用中的郵費資料已超過十二個月或已被取代，價錢可能已過時。請在連線時檢查新郵費；提交時以 EC-Ship 的價錢為準。"),
            Key::TariffsAddress => ("Open-data address", "開放數據網址"),
            Key::TariffsCheck => ("Check for new rates", "檢查新郵費"),
            Key::TariffsChecking => ("Checking…", "檢查中…"),
            Key::TariffsLoadFile => ("Load a rate file", "載入郵費檔案"),
            Key::TariffsNewFile => ("New rates", "新郵費"),
            Key::TariffsUnchanged => ("files unchanged", "個檔案沒有更改"),
            Key::TariffsNotChecked => ("Not checked; the rates already kept stay in use:", "未能檢查，繼續使用已儲存的郵費："),
            Key::TariffsNothingNew => ("No new rates.", "沒有新郵費。"),
            Key::TariffsFiles => ("Rate files", "郵費檔案"),
            Key::TariffsSuperseded => ("superseded", "已被取代"),
            Key::ExcludedTitle => ("Not available for this item", "此郵件不適用"),
            Key::NoOptions => ("No service can carry this item.", "沒有服務可寄遞此郵件。"),
            Key::Unknown => ("not stated", "未有公布"),
            Key::PostingDate => ("Posting on", "寄件日期"),
            Key::PickDestination => ("Choose a destination from the list.", "請從列表選擇目的地。"),
            Key::NavContacts => ("Address book", "通訊錄"),
            Key::NavShipments => ("Shipments", "郵件列表"),
            Key::NavNewShipment => ("New shipment", "新增郵件"),
            Key::ContactsTitle => ("Address book", "通訊錄"),
            Key::ContactsHelp => ("Recipients and sender profiles, kept on this device. Search works with any part of a name, address or phone, in English or Chinese.", "收件人及寄件人資料儲存在本機。可用姓名、地址或電話的任何部分搜尋，中英文皆可。"),
            Key::Search => ("Search", "搜尋"),
            Key::ContactSearchPlaceholder => ("Name, address, phone… e.g. 小明", "姓名、地址、電話……例如 小明"),
            Key::AllKinds => ("Recipients and senders", "收件人及寄件人"),
            Key::Recipients => ("Recipients", "收件人"),
            Key::SenderProfiles => ("Sender profiles", "寄件人資料"),
            Key::AllTags => ("All tags", "所有標籤"),
            Key::NoContacts => ("No contacts found.", "找不到聯絡人。"),
            Key::NewContact => ("New contact", "新增聯絡人"),
            Key::EditContact => ("Edit contact", "修改聯絡人"),
            Key::Name => ("Name", "姓名"),
            Key::Company => ("Company", "公司"),
            Key::Line1 => ("Address line 1", "地址第一行"),
            Key::Line2 => ("Address line 2", "地址第二行"),
            Key::Line3 => ("Address line 3", "地址第三行"),
            Key::City => ("City", "城市"),
            Key::StateProvince => ("State / province", "州／省"),
            Key::Postcode => ("Postcode", "郵遞區號"),
            Key::CountryCode => ("Country code (e.g. JP)", "國家／地區代碼（例如 JP）"),
            Key::Phone => ("Phone", "電話"),
            Key::Email => ("E-mail", "電郵"),
            Key::Notes => ("Notes", "備註"),
            Key::Tags => ("Tags (comma separated)", "標籤（以逗號分隔）"),
            Key::ContactKindLabel => ("Kind", "類別"),
            Key::Recipient => ("Recipient", "收件人"),
            Key::SenderProfile => ("Sender profile", "寄件人資料"),
            Key::DefaultSender => ("Default sender for new shipments", "新郵件的預設寄件人"),
            Key::Default => ("default", "預設"),
            Key::Save => ("Save", "儲存"),
            Key::Delete => ("Delete", "刪除"),
            Key::Saved => ("Saved.", "已儲存。"),
            Key::Deleted => ("Deleted.", "已刪除。"),
            Key::NotSaved => ("Not saved: fix the fields marked below.", "未儲存：請更正以下標示的欄位。"),
            Key::OtherProblems => ("Other problems", "其他問題"),
            Key::ExportCsv => ("Export CSV", "匯出 CSV"),
            Key::ExportReady => ("Exported:", "已匯出："),
            Key::ImportTitle => ("Import from a CSV file", "從 CSV 檔案匯入"),
            Key::ImportHelp => ("Choose a file, check which field each column fills, then import. Rows with errors are left out and listed in a report you can fix and import again.", "選擇檔案，確認每欄對應的資料，然後匯入。有錯誤的資料列不會匯入，並會列在報告中，更正後可再次匯入。"),
            Key::ImportWhat => ("The file holds", "檔案內容"),
            Key::ImportFile => ("CSV file", "CSV 檔案"),
            Key::IgnoreColumn => ("(ignore this column)", "（略過此欄）"),
            Key::Row => ("Row", "列"),
            Key::RowProblems => ("Problems", "問題"),
            Key::DuplicateOf => ("Already in the address book", "已在通訊錄中"),
            Key::DuplicatePolicy => ("When a row is already stored", "資料已存在時"),
            Key::PolicyReview => ("Hold it for me to review", "保留待我檢查"),
            Key::PolicyKeep => ("Keep what is stored", "保留現有資料"),
            Key::PolicyOverwrite => ("Overwrite it with the file", "以檔案內容覆蓋"),
            Key::RunImport => ("Import", "匯入"),
            Key::ImportProgressLabel => ("Import progress", "匯入進度"),
            Key::DownloadReport => ("Download the report of rows not imported", "下載未匯入資料列的報告"),
            Key::ShipmentsTitle => ("Shipments", "郵件列表"),
            Key::ShipmentsHelp => ("Every shipment on this device, newest first. Tick several for batch actions.", "本機所有郵件，最新的排在最前。可勾選多件作批量處理。"),
            Key::StateLabel => ("State", "狀態"),
            Key::AllStates => ("All states", "所有狀態"),
            Key::DateFrom => ("Created from", "建立日期由"),
            Key::DateTo => ("to", "至"),
            Key::DestinationCode => ("Destination (code)", "目的地（代碼）"),
            Key::SelectAll => ("Select all", "全選"),
            Key::Select => ("Select", "選擇"),
            Key::Reference => ("Reference", "參考編號"),
            Key::Weight => ("Weight", "重量"),
            Key::Created => ("Created", "建立時間"),
            Key::Problems => ("Problems", "問題"),
            Key::NoShipments => ("No shipments match.", "沒有符合的郵件。"),
            Key::EditShipment => ("Edit shipment", "修改郵件"),
            Key::EditorHelp => ("Everything is checked as you type; prices come from the bundled rate files.", "輸入時即時檢查；郵費按內置郵費資料計算。"),
            Key::FindRecipient => ("Find in the address book", "從通訊錄搜尋"),
            Key::RecipientSearchPlaceholder => ("Name, city, phone… e.g. 小明", "姓名、城市、電話……例如 小明"),
            Key::NewAddress => ("Type a new address", "輸入新地址"),
            Key::Sender => ("Sender", "寄件人"),
            Key::NoSenderProfiles => ("No sender profile yet: add one (a Hong Kong return address) in the address book.", "尚未有寄件人資料：請在通訊錄新增（香港回郵地址）。"),
            Key::ChooseService => ("Choose a service", "請選擇服務"),
            Key::Zone => ("Part of the destination", "目的地區域"),
            Key::Parcel => ("Parcel", "郵件"),
            Key::Explanation => ("Explain the contents", "內容說明"),
            Key::Currency => ("Currency", "貨幣"),
            Key::ContentLines => ("Contents, line by line", "內容明細"),
            Key::Description => ("Description", "物品描述"),
            Key::Quantity => ("Quantity", "數量"),
            Key::LineValue => ("Value", "價值"),
            Key::HsCode => ("HS code", "稅則號"),
            Key::Origin => ("Origin (code)", "原產地（代碼）"),
            Key::NetWeight => ("Net weight (g)", "淨重（克）"),
            Key::AddLine => ("Add a line", "新增一行"),
            Key::RemoveLine => ("Remove line", "移除此行"),
            Key::InsuredValue => ("Insured value (HK$)", "保險金額（港元）"),
            Key::NonDelivery => ("If it cannot be delivered", "無法投遞時"),
            Key::NotChosen => ("(not chosen)", "（未選擇）"),
            Key::ReturnByAir => ("Return by air", "空郵退回"),
            Key::ReturnBySurface => ("Return by surface", "平郵退回"),
            Key::Abandon => ("Abandon", "放棄"),
            Key::SaveDraft => ("Save", "儲存"),
            Key::MarkReady => ("Mark ready", "標示為準備寄出"),
            Key::CopyAsNew => ("Copy as new", "複製為新郵件"),
            Key::Checking => ("Checking…", "檢查中……"),
            Key::NoProblems => ("No problems found.", "沒有發現問題。"),
            Key::Use => ("Use", "選用"),
            Key::QuotesTitle => ("Services and prices", "服務及郵費"),
            Key::QuotesWaiting => ("Prices appear once the destination and weight are filled in.", "填寫目的地及重量後會顯示郵費。"),
            Key::StoredQuote => ("Stored quote", "已儲存報價"),
            Key::Copied => ("This is a new copy; give it its own reference.", "這是新複本，請輸入新的參考編號。"),
            Key::PrintSelected => ("Print labels", "列印標籤"),
            Key::PrintTitle => ("Print labels", "列印標籤"),
            Key::PrintHelp => ("Shipments without an item number print as DRAFT with no barcode: they cannot be posted until EC-Ship numbers them.", "未有郵件編號的郵件會印成「草稿」且沒有條碼：須待 EC-Ship 編號後才可投寄。"),
            Key::LabelFormat => ("Label format", "標籤格式"),
            Key::Printer => ("Printer", "打印機"),
            Key::StartPosition => ("Start at label (part-used sheet)", "由第幾個標籤開始（已用過的標籤紙）"),
            Key::PrintPreview => ("Preview of the first page", "第一頁預覽"),
            Key::PrintRun => ("Print", "列印"),
            Key::PrintProgressLabel => ("Print progress", "列印進度"),
            Key::Close => ("Close", "關閉"),
            Key::NoPrinters => ("No printer found: add one in the system settings.", "找不到打印機：請在系統設定新增。"),
            Key::LoadingPreview => ("Preparing the preview…", "正在準備預覽……"),
            Key::PostingSelected => ("Posting documents", "郵寄文件"),
            Key::PostingTitle => ("iMail posting documents", "iMail 郵寄文件"),
            Key::PostingHelp => ("The selected iMail shipments are bagged one destination per bag, with a new bag when a bag would pass its weight limit. Charges are estimates until the bags are weighed.", "已選的 iMail 郵件按目的地分袋（每袋一個目的地），超過重量上限時另開新袋。郵袋過磅前，郵費只屬估算。"),
            Key::PermitNumber => ("iMail permit number", "iMail 許可證號碼"),
            Key::PostingDay => ("Date of posting", "投寄日期"),
            Key::PostingDocument => ("Document", "文件"),
            Key::NavEcship => ("EC-Ship", "EC-Ship"),
            Key::EcshipTitle => ("EC-Ship connection", "EC-Ship 連線設定"),
            Key::EcshipHelp => ("Satchel submits shipments to Hongkong Post's EC-Ship with these details. The integrator username and the API key go to the keychain, never to Satchel's database.", "Satchel 會用以下資料把郵件提交至香港郵政 EC-Ship。整合商用戶名稱及 API 密鑰只存放在鑰匙圈，不會存入 Satchel 的資料庫。"),
            Key::EcshipAddresses => ("Addresses", "網址"),
            Key::EcshipPresetTrial => ("Use the trial service", "使用測試環境"),
            Key::EcshipPresetProduction => ("Use the production service", "使用正式環境"),
            Key::EcshipBaseUrl => ("Service address (SOAP base URL)", "服務網址（SOAP 基本網址）"),
            Key::EcshipTrackingUrl => ("Tracking API address", "追蹤 API 網址"),
            Key::EcshipAccount => ("Account", "帳戶"),
            Key::EcshipUsername => ("EC-Ship portal username", "EC-Ship 帳戶用戶名稱"),
            Key::EcshipHkpId => ("hkpId (if your account has one)", "hkpId（如帳戶設有）"),
            Key::EcshipIdentity => ("Identify the account by", "以下列資料識別帳戶"),
            Key::IdentityUsername => ("Portal username", "帳戶用戶名稱"),
            Key::IdentityHkpId => ("hkpId", "hkpId"),
            Key::IdentityBoth => ("Both", "兩者"),
            Key::EcshipSecrets => ("API credentials", "API 登入資料"),
            Key::EcshipIntegrator => ("Integrator (API) username", "整合商（API）用戶名稱"),
            Key::EcshipApiKeyLabel => ("API key", "API 密鑰"),
            Key::EcshipKeyStored => ("A key is stored. Leave the box empty to keep it; type a new one to replace it.", "已儲存密鑰。留空即保留現有密鑰；輸入新密鑰即會取代。"),
            Key::EcshipNoKeyStored => ("No key is stored yet.", "尚未儲存密鑰。"),
            Key::EcshipLookup => ("Looking an order up before a retry", "重試前查詢訂單"),
            Key::EcshipLookupHelp => ("When the answer to a submission is lost, Satchel first asks EC-Ship whether the order was made, by its reference, so that a retry never buys a second label. That question needs a search type and a sort order, which EC-Ship's public documentation does not give: ask Hongkong Post for them. Without them Satchel cannot look an order up.", "如提交後未收到回覆，Satchel 會先按參考編號向 EC-Ship 查詢訂單是否已建立，以免重試時重複購買標籤。查詢需要「搜尋類型」及「排序」，但 EC-Ship 的公開文件沒有提供：請向香港郵政查詢。沒有這兩項，Satchel 無法查詢訂單。"),
            Key::EcshipSearchType => ("Search type (by reference)", "搜尋類型（按參考編號）"),
            Key::EcshipSortOrder => ("Sort order", "排序"),
            Key::SevereWeatherToday => ("Black Rainstorm or Signal No. 8 today (post offices closed, R-062)", "今日黑色暴雨警告或八號或以上風球（郵政局暫停辦公，R-062）"),
            Key::PermitNumberImail => ("iMail permit number (for iMail address labels)", "iMail 許可證號碼（用於 iMail 地址標籤）"),
            Key::PostingFromEcship => ("EC-Ship makes this document: Satchel asks EC-Ship for it when you print and sends it to the printer exactly as it comes, so there is no preview. Every item needs its EC-Ship item number.", "此文件由 EC-Ship 產生：列印時 Satchel 會向 EC-Ship 索取，並按原樣送往打印機，因此沒有預覽。每件郵件均須有 EC-Ship 郵件編號。"),
            Key::EdiAccept => ("I understand: submit", "明白，提交"),
            Key::PostageDiffers => ("EC-Ship prices these items differently from Satchel's rate files. EC-Ship's price is what you pay.", "EC-Ship 對以下郵件的報價與 Satchel 的郵費資料不同，以 EC-Ship 的價錢為準。"),
            Key::PostageSatchel => ("Satchel (HK$)", "Satchel（港元）"),
            Key::PostageEcship => ("EC-Ship (HK$)", "EC-Ship（港元）"),
            Key::PostageAccept => ("Submit at EC-Ship's price", "按 EC-Ship 價錢提交"),
            Key::EcshipCodes => ("Service codes", "服務代碼"),
            Key::EcshipCodesHelp => ("EC-Ship does not publish its code tables. Satchel uses the codes seen in public EC-Ship clients where there are any (to verify on the trial endpoint) and asks you for the rest: a service with no code cannot be submitted until you enter the one Hongkong Post gives you. Leave a box empty to use the code shown.", "EC-Ship 沒有公開代碼表。Satchel 會使用公開 EC-Ship 程式中見到的代碼（請在試用環境核實），其餘需由你輸入：未有代碼的服務，須輸入香港郵政提供的代碼後才可提交。留空即使用所示代碼。"),
            Key::EcshipShipCodes => ("Shipping code (shipCode) per service", "各服務的郵件代碼（shipCode）"),
            Key::EcshipNonDeliveryCodes => ("Non-delivery instruction codes (parcels, R-090)", "無法投遞指示代碼（包裹，R-090）"),
            Key::CodeConfigured => ("your setting", "你的設定"),
            Key::CodePublicClient => ("from public clients, unverified", "取自公開程式，未經核實"),
            Key::CodeUnverified => ("unverified default", "未經核實的預設值"),
            Key::CodeMissing => ("none known: enter one to submit this service", "未有代碼：輸入後方可提交此服務"),
            Key::EcshipSpeedpostRoute => ("Speedpost orders are made through", "特快專遞訂單經由"),
            Key::RouteSoaz => ("SoazPosting (as public clients do)", "SoazPosting（公開程式的做法）"),
            Key::RoutePosting => ("Posting/createOrder with shipCode EMS", "Posting/createOrder（shipCode EMS）"),
            Key::EcshipSoazService => ("Speedpost service code (SoazPosting)", "特快專遞服務代碼（SoazPosting）"),
            Key::FamEExpress => ("e-Express", "e速遞"),
            Key::FamSpeedpost => ("Speedpost", "特快專遞"),
            Key::FamAirRegistered => ("Air registered mail", "空郵掛號"),
            Key::FamSurfaceRegistered => ("Surface registered mail", "平郵掛號"),
            Key::FamAirParcel => ("Air parcel", "空郵包裹"),
            Key::FamSurfaceParcel => ("Surface parcel", "平郵包裹"),
            Key::FamImail => ("iMail", "國際商業小包空郵服務 iMail"),
            Key::FamLocalParcel => ("Local parcel", "本地包裹"),
            Key::FamLocalCourierPost => ("Local CourierPost", "本地郵政速遞"),
            Key::EcshipKeychain => ("Secrets are kept in:", "機密資料存放於："),
            Key::EcshipKeychainBad => ("No usable keychain: the integrator username and the API key cannot be saved, so nothing can be submitted. Reason:", "沒有可用的鑰匙圈：無法儲存整合商用戶名稱及 API 密鑰，因此不能提交郵件。原因："),
            Key::Loading => ("Loading…", "載入中……"),
            Key::SubmitSelected => ("Submit to EC-Ship", "提交至 EC-Ship"),
            Key::SubmitProgressLabel => ("Submission progress", "提交進度"),
            Key::EcshipStatus => ("EC-Ship status", "EC-Ship 狀態"),
            Key::Actions => ("Actions", "操作"),
            Key::Retry => ("Retry", "重試"),
            Key::CancelSubmission => ("Cancel", "取消"),
            Key::Tracking => ("Tracking", "追蹤"),
            Key::Refused => ("Not queued", "未能排隊"),
            Key::TrackingTitle => ("Tracking", "郵件追蹤"),
            Key::TrackingRefresh => ("Refresh from EC-Ship", "從 EC-Ship 更新"),
            Key::TrackingNone => ("No tracking events yet.", "暫時沒有追蹤紀錄。"),
            Key::TrackingRefreshFailed => ("Could not refresh; the stored events are shown.", "未能更新，以下為已儲存的紀錄。"),
            Key::TrackingWhen => ("Time (Hong Kong)", "時間（香港）"),
            Key::TrackingWhat => ("Event", "事件"),
            Key::TrackingWhere => ("Location", "地點"),
            Key::Preprinted => ("Pre-printed barcode label", "預印條碼標籤"),
            Key::PreprintedHelp => ("Type the number of an adhesive iMail barcode label, or scan it with a barcode scanner (it presses Enter for you).", "輸入 iMail 預印條碼標籤上的號碼，或以條碼掃描器掃描（掃描器會自動按 Enter）。"),
            Key::Attach => ("Attach", "附加"),
            Key::Attached => ("Attached:", "已附加："),
            Key::NavSync => ("Sync", "同步"),
            Key::SyncTitle => ("Sync between your devices", "裝置之間同步"),
            Key::SyncHelp => ("Your address book and shipments meet on your other devices through a sync hub. Everything is encrypted on this device before it leaves, so the hub cannot read it.", "地址簿及郵件會經同步伺服器在你的其他裝置之間同步。所有資料在離開本裝置前已經加密，伺服器無法讀取。"),
            Key::SyncCreateTitle => ("Create a sync account", "建立同步帳戶"),
            Key::SyncCreateHelp => ("Start here on your first device.", "請在第一部裝置由此開始。"),
            Key::SyncHubUrl => ("Hub address", "同步伺服器網址"),
            Key::SyncDeviceName => ("Name of this device", "本裝置名稱"),
            Key::SyncDeviceNamePlaceholder => ("Shop laptop", "店舖手提電腦"),
            Key::SyncCreate => ("Create account", "建立帳戶"),
            Key::SyncJoinTitle => ("Link this device to another", "將本裝置連結至另一部裝置"),
            Key::SyncJoinHelp => ("On a device that is already linked, open Sync and choose \"Link another device\"; type the code it shows here. That device then asks you to approve this one.", "在已連結的裝置開啟「同步」，選擇「連結另一部裝置」，然後在此輸入顯示的代碼。之後該裝置會請你批准本裝置。"),
            Key::SyncCode => ("Pairing code", "配對代碼"),
            Key::SyncJoin => ("Link", "連結"),
            Key::SyncRestoreTitle => ("Restore with recovery phrase", "以復原短語還原"),
            Key::SyncRestoreHelp => ("If no linked device is left, the 24 recovery words bring your data back to this one.", "如已沒有任何已連結的裝置，可用 24 個復原字詞把資料取回本裝置。"),
            Key::SyncPhrase => ("Recovery phrase (24 words)", "復原短語（24 個字詞）"),
            Key::SyncRestore => ("Restore", "還原"),
            Key::SyncPhraseTitle => ("Write down your recovery phrase", "請抄下你的復原短語"),
            Key::SyncPhraseHelp => ("These 24 words are the only way back to your data if every device is lost. Write them on paper, in order, and keep them somewhere safe. Satchel shows them only this once and does not keep them.", "如所有裝置都遺失，這 24 個字詞是取回資料的唯一方法。請按次序抄在紙上並妥善保存。Satchel 只會顯示這一次，亦不會保存。"),
            Key::SyncPhraseConfirm => ("I have written the 24 words down", "我已抄下這 24 個字詞"),
            Key::SyncPhraseDone => ("Done", "完成"),
            Key::SyncStatusTitle => ("Status", "狀態"),
            Key::SyncHub => ("Hub", "同步伺服器"),
            Key::SyncLast => ("Last synced", "上次同步"),
            Key::SyncNever => ("Never", "從未"),
            Key::SyncPending => ("Changes waiting to be sent", "待傳送的變更"),
            Key::SyncLastError => ("Last error", "上次錯誤"),
            Key::SyncRunning => ("Syncing…", "同步中……"),
            Key::SyncNow => ("Sync now", "立即同步"),
            Key::SyncHistory => ("History", "記錄"),
            Key::SyncNoHistory => ("No sync yet since Satchel was opened.", "自開啟 Satchel 以來尚未同步。"),
            Key::SyncOfferTitle => ("Link another device", "連結另一部裝置"),
            Key::SyncOfferHelp => ("Name the new device, then type the code on it (or scan the QR code with its camera) before the code expires.", "輸入新裝置的名稱，然後在代碼到期前於新裝置輸入代碼（或以鏡頭掃描 QR 碼）。"),
            Key::SyncNewDeviceName => ("Name of the new device", "新裝置名稱"),
            Key::SyncNewDevicePlaceholder => ("Phone", "手機"),
            Key::SyncOffer => ("Show a code", "顯示代碼"),
            Key::SyncExpires => ("Works until", "有效至"),
            Key::SyncQr => ("QR code of the pairing code", "配對代碼的 QR 碼"),
            Key::SyncDevicesTitle => ("Devices", "裝置"),
            Key::SyncThisDevice => ("This device", "本裝置"),
            Key::SyncRevoked => ("Revoked", "已撤銷"),
            Key::SyncRevoke => ("Revoke", "撤銷"),
            Key::SyncRevokeConfirm => ("Revoke: it can no longer sync", "確定撤銷：該裝置將不能再同步"),
            Key::SyncRemovalAsked => ("Removal asked by", "要求移除的裝置："),
            Key::SyncRemovalPending => ("This device joined before the one you are using, so it is removed only on this date; every device shows the request until then:", "該裝置比你正在使用的裝置更早加入，所以要到以下日期才會移除；在此之前，每部裝置都會顯示這項要求："),
            Key::SyncPhraseChanged => ("A device was removed, so your data now has a new key that device never gets. Your recovery phrase changed with it: the old one no longer works.", "已移除一部裝置，所以你的資料已改用該裝置無法取得的新鑰匙。復原短語亦已隨之更改：舊的短語不再有效。"),
            Key::SyncPhraseShow => ("Show the new phrase", "顯示新的復原短語"),
            Key::SyncAwaiting => ("Waiting for approval. On the device that showed the code, open Sync and approve this device if it shows the same code as here:", "正在等待批准。請在顯示代碼的裝置上打開「同步」，如該裝置顯示的代碼與這裡相同，便批准本裝置："),
            Key::SyncAwaitingHelp => ("This device gets the account's data only once it is approved there. If the other device shows different characters, do not approve it: someone else answered the code. Make a new code there and start again here.", "本裝置要待該處批准後，才會取得帳戶的資料。如另一部裝置顯示的字元不同，請勿批准：代表有其他人回應了該代碼。請在該裝置產生新代碼，再在這裡重新開始。"),
            Key::SyncAwaitingCheck => ("Check now", "立即檢查"),
            Key::SyncAwaitingCancel => ("Start again", "重新開始"),
            Key::SyncAsksToJoin => ("Asks to join; approve only if its screen shows", "要求加入；只在其畫面顯示以下代碼時批准："),
            Key::SyncApprove => ("Approve", "批准"),
            Key::SyncApproved => ("Approved: it joins at its next sync. Approve again only if it still waits after a while.", "已批准：該裝置會在下次同步時加入。如過了一段時間仍在等待，才再批准一次。"),
            Key::SyncAdded => ("Added", "加入日期"),
            Key::Cancel => ("Cancel", "取消"),
            Key::SyncUnlinkTitle => ("Unlink this device", "解除連結本裝置"),
            Key::SyncUnlinkHelp => ("This device stops syncing. Its data stays here; to link it again you need a code from another device or the recovery phrase.", "本裝置會停止同步，資料會保留在本裝置；如要再次連結，需要另一部裝置的代碼或復原短語。"),
            Key::SyncUnlink => ("Unlink", "解除連結"),
            Key::SyncUnlinkConfirm => ("Unlink now", "確定解除連結"),
            Key::SyncIndicatorOff => ("Sync off", "未啟用同步"),
            Key::SyncIndicatorNever => ("Not synced", "未同步"),
            Key::SyncIndicatorFailed => ("Sync failed", "同步失敗"),
            Key::SyncIndicatorWaiting => ("Waiting for approval", "等待批准"),
            Key::SyncIndicatorSynced => ("Synced", "已同步"),
            Key::SyncIndicatorLabel => ("Sync status; opens the Sync screen", "同步狀態；開啟「同步」畫面"),
            Key::LockTitle => ("App lock", "程式鎖"),
            Key::LockHelp => ("Lock Satchel when nobody has used it for a while, so customers' names and addresses are not left on the screen. The PIN is kept in the keychain.", "一段時間無人使用時鎖上 Satchel，以免客戶的姓名及地址留在螢幕上。PIN 碼存放在鑰匙圈。"),
            Key::LockAfter => ("Lock after this long without use", "閒置多久後上鎖"),
            Key::LockOff => ("Never", "不上鎖"),
            Key::LockPinNew => ("PIN (4–8 digits)", "PIN 碼（4 至 8 位數字）"),
            Key::LockPinSet => ("A PIN is set. Leave the box empty to keep it.", "已設定 PIN 碼。留空即保留現有 PIN 碼。"),
            Key::LockNoPin => ("No PIN set yet.", "尚未設定 PIN 碼。"),
            Key::LockNow => ("Lock now", "立即上鎖"),
            Key::LockedTitle => ("Satchel is locked", "Satchel 已上鎖"),
            Key::LockedHelp => ("Enter your PIN to continue.", "請輸入 PIN 碼以繼續。"),
            Key::LockPin => ("PIN", "PIN 碼"),
            Key::Unlock => ("Unlock", "解鎖"),
        };
        match locale {
            Locale::En => en,
            Locale::ZhHk => zh,
        }
    }
}

/// What an S10 service indicator means (catalog keys from `satchel-ipc`).
pub fn mail_kind(kind: &str, locale: Locale) -> &'static str {
    let (en, zh) = match kind {
        "parcel" => ("Parcel post", "包裹"),
        "ems" => ("EMS / Speedpost", "特快專遞"),
        "e_commerce_parcel" => ("E-commerce parcel", "電子商務包裹"),
        "letter_tracked" => ("Tracked letter post", "可追蹤郵件"),
        "m_bag" => ("M-bag", "M 郵袋"),
        "ibrs" => ("International business reply", "國際商業回郵"),
        "letter_registered" => ("Registered letter post", "掛號郵件"),
        "letter_untracked" => ("Untracked letter post (customs)", "不可追蹤郵件（需報關）"),
        "letter_insured" => ("Insured letter post", "保險郵件"),
        "reserved" => ("Reserved / domestic", "保留／本地用途"),
        _ => ("Domestic or bilateral use", "本地或雙邊用途"),
    };
    match locale {
        Locale::En => en,
        Locale::ZhHk => zh,
    }
}

/// Why an item number is invalid, in words a merchant can act on.
pub fn item_problem(problem: &satchel_ipc::ItemProblem, locale: Locale) -> String {
    use satchel_ipc::ItemProblem as P;
    match (problem, locale) {
        (P::Length { len }, Locale::En) => {
            format!("An item number has 13 characters; this one has {len}.")
        }
        (P::Length { len }, Locale::ZhHk) => format!("郵件編號應有 13 個字元，現有 {len} 個。"),
        (P::ServiceIndicator, Locale::En) => {
            "The first two characters must be letters (the service indicator).".into()
        }
        (P::ServiceIndicator, Locale::ZhHk) => "首兩個字元必須是英文字母（服務代號）。".into(),
        (P::Digits, Locale::En) => "Characters 3 to 11 must be digits.".into(),
        (P::Digits, Locale::ZhHk) => "第 3 至 11 個字元必須是數字。".into(),
        (P::CountryCode, Locale::En) => {
            "The last two characters must be letters (the issuing country).".into()
        }
        (P::CountryCode, Locale::ZhHk) => "最後兩個字元必須是英文字母（發出國家）。".into(),
        (P::UnknownCountry { country }, Locale::En) => {
            format!("'{country}' is not the country code of a post.")
        }
        (P::UnknownCountry { country }, Locale::ZhHk) => {
            format!("「{country}」不是郵政的國家代碼。")
        }
        (P::CheckDigit { found, expected }, Locale::En) => format!(
            "Check digit is {found} but should be {expected} (UPU S10): a character was mistyped."
        ),
        (P::CheckDigit { found, expected }, Locale::ZhHk) => {
            format!("校驗位是 {found}，應為 {expected}（UPU S10）：可能輸入錯誤。")
        }
    }
}

/// The content categories of the customs declaration, as (wire value, English, Chinese).
pub const CATEGORIES: [(&str, &str, &str); 6] = [
    ("sale_of_goods", "Sale of goods", "銷售貨品"),
    ("gift", "Gift", "禮物"),
    ("documents", "Documents", "文件"),
    ("commercial_sample", "Commercial sample", "商業樣本"),
    ("returned_goods", "Returned goods", "退回貨品"),
    ("other", "Other", "其他"),
];

/// Why a service cannot carry the item, in the merchant's language.
pub fn exclusion(reason: &satchel_ipc::ExclusionReason, locale: Locale) -> String {
    use satchel_ipc::ExclusionReason as R;
    let zh = locale == Locale::ZhHk;
    match reason {
        R::UsGoodsSuspended if zh => "寄往美國的貨品暫停收寄，只接受文件（R-063）。".into(),
        R::UsGoodsSuspended => "Goods to the US are suspended; documents only (R-063).".into(),
        R::LocalOnly if zh => "只限香港本地寄遞。".into(),
        R::LocalOnly => "For addresses in Hong Kong only.".into(),
        R::InternationalOnly if zh => "只限寄往香港以外地方。".into(),
        R::InternationalOnly => "For addresses outside Hong Kong only.".into(),
        R::NoTariff if zh => "沒有適用於此日期的郵費資料。".into(),
        R::NoTariff => "No rate file for this date.".into(),
        R::NotServed if zh => "此服務不寄往這個目的地。".into(),
        R::NotServed => "Does not go to this destination.".into(),
        R::OverLimit { limit_g } if zh => format!("超過重量上限 {}。", grams(*limit_g)),
        R::OverLimit { limit_g } => format!("Over the weight limit of {}.", grams(*limit_g)),
        R::AmbiguousRate if zh => "公布的郵費資料互相矛盾，須向 EC-Ship 查詢。".into(),
        R::AmbiguousRate => "The published rates conflict; ask EC-Ship for the price.".into(),
        R::OverSize { rule } if zh => format!("超過尺寸上限（{rule}）。"),
        R::OverSize { rule } => format!("Larger than the size limit ({rule})."),
        R::InvalidDestination if zh => "目的地代碼無效。".into(),
        R::InvalidDestination => "Not a valid destination code.".into(),
        R::NoStep if zh => "公布的郵費資料沒有此重量。".into(),
        R::NoStep => "The published rates have no step for this weight.".into(),
    }
}

/// `2000` → "2 kg", `450` → "450 g".
pub fn grams(g: u32) -> String {
    if g >= 1000 && g.is_multiple_of(100) {
        let whole = g / 1000;
        match (g % 1000) / 100 {
            0 => format!("{whole} kg"),
            tenths => format!("{whole}.{tenths} kg"),
        }
    } else {
        format!("{g} g")
    }
}

/// "7–14 working days (to 2026-12-08)".
pub fn delivery(d: &satchel_ipc::DeliveryDto, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{}–{} working days ({} to {}; {})",
            d.min_days, d.max_days, d.earliest, d.latest, d.rule
        ),
        Locale::ZhHk => format!(
            "{}–{} 個工作天（{} 至 {}；{}）",
            d.min_days, d.max_days, d.earliest, d.latest, d.rule
        ),
    }
}

/// Why a command gave no answer, in the merchant's language.
/// A refusal in the merchant's language, from the contract's one catalogue of refusals.
pub fn refusal_text(r: &satchel_ipc::CommandError, locale: Locale) -> String {
    satchel_ipc::wording::refusal(r, lang(locale))
}

/// The contract catalogue's language for the window's locale.
/// A posting note in the catalogue's words.
pub fn note_text(n: &satchel_ipc::Note, locale: Locale) -> String {
    satchel_ipc::wording::note(n, lang(locale))
}

/// The EDI privacy notice shown before the first international submission.
pub fn edi_notice_text(locale: Locale) -> &'static str {
    match locale {
        Locale::En => satchel_ipc::wording::EDI_NOTICE_EN,
        Locale::ZhHk => satchel_ipc::wording::EDI_NOTICE_ZH_HK,
    }
}

fn lang(locale: Locale) -> satchel_ipc::wording::Lang {
    match locale {
        Locale::En => satchel_ipc::wording::Lang::En,
        Locale::ZhHk => satchel_ipc::wording::Lang::ZhHk,
    }
}

pub fn call_error(e: &crate::ipc::CallError, locale: Locale) -> String {
    use crate::ipc::CallError;
    match (e, locale) {
        (CallError::Refused(r), _) => refusal_text(r, locale),
        (CallError::Failed(text), _) => format!("{}: {text}", Key::CallFailed.text(locale)),
    }
}

/// A shipment's state, in the merchant's words.
pub fn state_name(s: satchel_ipc::ShipmentState, locale: Locale) -> &'static str {
    satchel_ipc::wording::state_name(s, lang(locale))
}

/// A field a CSV column can fill (keys from the store's import tables).
pub fn csv_field(key: &str, locale: Locale) -> String {
    let (en, zh) = match key {
        "kind" => ("Type (recipient / sender)", "類別（收件人／寄件人）"),
        "name" => ("Name", "姓名"),
        "company" => ("Company", "公司"),
        "line1" => ("Address line 1", "地址第一行"),
        "line2" => ("Address line 2", "地址第二行"),
        "line3" => ("Address line 3", "地址第三行"),
        "city" => ("City", "城市"),
        "state" => ("State / province", "州／省"),
        "postcode" => ("Postcode", "郵遞區號"),
        "country" => ("Country code", "國家代碼"),
        "phone" => ("Phone", "電話"),
        "email" => ("E-mail", "電郵"),
        "notes" => ("Notes", "備註"),
        "tags" => ("Tags", "標籤"),
        "reference" => ("Reference", "參考編號"),
        "service" => ("Service", "服務"),
        "weight_g" => ("Weight (g)", "重量（克）"),
        "length_mm" => ("Length (mm)", "長（毫米）"),
        "width_mm" => ("Width (mm)", "闊（毫米）"),
        "height_mm" => ("Height (mm)", "高（毫米）"),
        "category" => ("Contents category", "內容類別"),
        "description" => ("Description", "物品描述"),
        "quantity" => ("Quantity", "數量"),
        "value" => ("Value", "價值"),
        "currency" => ("Currency", "貨幣"),
        "hs_code" => ("HS code", "稅則號"),
        "origin" => ("Origin", "原產地"),
        "insured_value" => ("Insured value", "保險金額"),
        "non_delivery" => ("If undeliverable", "無法投遞時"),
        "id" => ("Satchel id (export only)", "Satchel 編號（只供匯出）"),
        "state_now" => ("Status (export only)", "狀態（只供匯出）"),
        "created" => ("Created (export only)", "建立時間（只供匯出）"),
        "item_number" => ("Item number (export only)", "郵件編號（只供匯出）"),
        "postage" => ("Postage (export only)", "郵費（只供匯出）"),
        "rates_as_of" => ("Rates dated (export only)", "郵費資料日期（只供匯出）"),
        other => return other.to_owned(),
    };
    match locale {
        Locale::En => en.to_owned(),
        Locale::ZhHk => zh.to_owned(),
    }
}

/// "2 imported, 1 rejected …": what an import did.
pub fn import_summary(r: &satchel_ipc::ImportReport, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{} of {} rows imported; {} updated, {} kept as stored, {} held for review, {} rejected.",
            r.imported, r.total_rows, r.updated, r.kept_existing, r.duplicates, r.rejected
        ),
        Locale::ZhHk => format!(
            "{} 列中已匯入 {} 列；更新 {} 列，保留現有 {} 列，待檢查 {} 列，拒絕 {} 列。",
            r.total_rows, r.imported, r.updated, r.kept_existing, r.duplicates, r.rejected
        ),
    }
}

/// "3 rows, 1 with errors" for the import preview.
pub fn preview_summary(total: u32, with_errors: u32, locale: Locale) -> String {
    match locale {
        Locale::En => format!("{total} rows, {with_errors} with errors."),
        Locale::ZhHk => format!("共 {total} 列，其中 {with_errors} 列有錯誤。"),
    }
}

/// "2 selected".
pub fn selected_count(n: usize, locale: Locale) -> String {
    match locale {
        Locale::En => format!("{n} selected"),
        Locale::ZhHk => format!("已選 {n} 件"),
    }
}

/// "1 error, 2 warnings".
pub fn problem_count(errors: usize, warnings: usize, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ),
        Locale::ZhHk => format!("{errors} 項錯誤，{warnings} 項警告"),
    }
}

/// A problem's text in the merchant's language.
pub fn problem_text(p: &satchel_ipc::ProblemDto, locale: Locale) -> &str {
    match locale {
        Locale::En => &p.message_en,
        Locale::ZhHk => &p.message_zh_hk,
    }
}

/// A name given in both languages.
pub fn pick<'a>(en: &'a str, zh: &'a str, locale: Locale) -> &'a str {
    match locale {
        Locale::En => en,
        Locale::ZhHk => zh,
    }
}

/// A label format's name, by its wire id.
pub fn format_name(format: satchel_ipc::LabelFormat, locale: Locale) -> &'static str {
    use satchel_ipc::LabelFormat as F;
    let (en, zh) = match format {
        F::ImailA4 => ("iMail, 3 per A4 sheet", "iMail（每張 A4 三個）"),
        F::Speedpost => ("Speedpost, 2 per A4 sheet", "特快專遞（每張 A4 兩個）"),
        F::Registered => (
            "Registered mail, 3 per A4 sheet",
            "掛號郵件（每張 A4 三個）",
        ),
        F::Parcel => ("Parcel, 2 per A4 sheet", "包裹（每張 A4 兩個）"),
        F::Thermal4x6 => ("Thermal roll, 4 × 6 in", "熱敏標籤卷（4 × 6 吋）"),
    };
    pick(en, zh, locale)
}

/// "2 labels on 2 pages, 2 of them drafts".
pub fn label_summary(labels: u32, pages: u32, drafts: u32, locale: Locale) -> String {
    match locale {
        Locale::En if pages == 0 => {
            format!("{labels} label{}.", if labels == 1 { "" } else { "s" })
        }
        Locale::ZhHk if pages == 0 => format!("共 {labels} 個標籤。"),
        Locale::En => {
            let mut s = format!(
                "{labels} label{} on {pages} page{}",
                if labels == 1 { "" } else { "s" },
                if pages == 1 { "" } else { "s" }
            );
            if drafts > 0 {
                s.push_str(&format!(", {drafts} of them DRAFT (no item number yet)"));
            }
            s.push('.');
            s
        }
        Locale::ZhHk => {
            let mut s = format!("共 {labels} 個標籤，{pages} 頁");
            if drafts > 0 {
                s.push_str(&format!("，其中 {drafts} 個為草稿（未有郵件編號）"));
            }
            s.push('。');
            s
        }
    }
}

/// A `YYYY-MM-DD` date written day-first, as Hong Kong writes dates (both languages).
pub fn day_first(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// The editor's insurance line: premium, cap and where the figures come from (§6).
pub fn insurance_text(i: &satchel_ipc::InsuranceDto, locale: Locale) -> String {
    use satchel_ipc::PremiumDto as P;
    let en = locale == Locale::En;
    let premium = match &i.premium {
        P::Known { amount } if en => format!("Insurance premium HK${amount}"),
        P::Known { amount } => format!("保險費 HK${amount}"),
        P::Unconfirmed { min, max } if en => {
            format!("Insurance premium HK${min}–{max} (sources disagree, C-02)")
        }
        P::Unconfirmed { min, max } => format!("保險費 HK${min}至{max}（資料來源不一，C-02）"),
        P::Unknown if en => "Insurance premium not published for this amount".to_owned(),
        P::Unknown => "此金額的保險費未有公布".to_owned(),
        P::NotOffered if en => "This service offers no extra insurance (R-116)".to_owned(),
        P::NotOffered => "此服務不設額外保險（R-116）".to_owned(),
    };
    let cap = match (&i.max_cover, i.over_cap, en) {
        (Some(m), true, true) => format!("; the most it covers is HK${m}, less than asked"),
        (Some(m), true, false) => format!("；最高保額為 HK${m}，低於所申報"),
        (Some(m), false, true) => format!("; covers up to HK${m}"),
        (Some(m), false, false) => format!("；最高保額 HK${m}"),
        (None, _, _) => String::new(),
    };
    let rules = if i.rules.is_empty() {
        String::new()
    } else {
        format!(" ({})", i.rules)
    };
    format!("{premium}{cap}{rules}.")
}

/// The warning for cover asked to a destination on the e-Express+ exclusion lists (C-02).
pub fn insurance_excluded_text(locale: Locale) -> String {
    match locale {
        Locale::En => "e-Express+ insurance may not be available to this destination: the \
                       operator's terms exclude MX and ZA, its FAQ excludes BR, IL, LB, RU, ZA, \
                       TR and VN (C-02)."
            .to_owned(),
        Locale::ZhHk => {
            "e速遞+ 保險未必適用於此目的地：郵政署條款不包括 MX 及 ZA，常見問題則不包括 \
                         BR、IL、LB、RU、ZA、TR 及 VN（C-02）。"
                .to_owned()
        }
    }
}

/// One calendar window of a shipment, dates day-first.
pub fn window_text(w: &satchel_ipc::WindowDto, locale: Locale) -> String {
    use satchel_ipc::WindowKind as K;
    let (opens, closes) = (day_first(&w.opens), day_first(&w.closes));
    let rule = &w.rule;
    match (w.kind, locale) {
        (K::LabelValid, Locale::En) => format!("Label valid for posting until {closes} ({rule})"),
        (K::LabelValid, Locale::ZhHk) => format!("標籤須於 {closes} 或之前投寄（{rule}）"),
        (K::Trace, Locale::En) => {
            format!("Tracing and enquiries from {opens} to {closes} ({rule})")
        }
        (K::Trace, Locale::ZhHk) => format!("可於 {opens} 至 {closes} 查詢或追查（{rule}）"),
        (K::Claim, Locale::En) => format!("Claims from {opens} to {closes} ({rule})"),
        (K::Claim, Locale::ZhHk) => format!("可於 {opens} 至 {closes} 提出索償（{rule}）"),
        (K::Certificate, Locale::En) => {
            format!("Certificate of Posting available until {closes} ({rule})")
        }
        (K::Certificate, Locale::ZhHk) => format!("投寄證明書可於 {closes} 前下載（{rule}）"),
        (K::AcceptanceReport, Locale::En) => {
            format!("The Item Acceptance Report should be on EC-Ship by {closes} ({rule})")
        }
        (K::AcceptanceReport, Locale::ZhHk) => {
            format!("郵件接收報告應於 {closes} 或之前在 EC-Ship 上載（{rule}）")
        }
    }
}

/// The label's print log: how often, the last time and by whom (reprints are free).
pub fn prints_text(prints: &[satchel_ipc::LabelPrintDto], locale: Locale) -> String {
    let Some(last) = prints.last() else {
        return String::new();
    };
    let copies: u32 = prints.iter().map(|p| p.copies).sum();
    let (date, time) = last.at.split_once(' ').unwrap_or((&last.at, ""));
    let when = format!("{} {time}", day_first(date));
    match locale {
        Locale::En => format!(
            "Label printed {copies} time{}; last on {when} by {}.",
            if copies == 1 { "" } else { "s" },
            last.who
        ),
        Locale::ZhHk => format!(
            "標籤已列印 {copies} 次；最近一次於 {when}，由 {} 列印。",
            last.who
        ),
    }
}

/// The print panel's note on EC-Ship's own labels, which are not previewed.
pub fn operator_label_note(count: u32, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{count} of these {} EC-Ship's own label{}: printed exactly as EC-Ship made {}, at \
             its own size, never redrawn (seed 001, R-036).",
            if count == 1 { "is" } else { "are" },
            if count == 1 { "" } else { "s" },
            if count == 1 { "it" } else { "them" },
        ),
        Locale::ZhHk => format!(
            "其中 {count} 個是 EC-Ship 產生的標籤：會按原樣及原尺寸列印，不會重新繪製（R-036）。"
        ),
    }
}

/// What the spooler says became of a job.
pub fn job_state_name(s: satchel_ipc::PrintJobState, locale: Locale) -> &'static str {
    use satchel_ipc::PrintJobState as J;
    let (en, zh) = match s {
        J::Pending => ("pending", "等候中"),
        J::Held => ("held", "暫停"),
        J::Processing => ("printing", "列印中"),
        J::Stopped => ("stopped", "已停止"),
        J::Canceled => ("canceled", "已取消"),
        J::Aborted => ("aborted", "已中止"),
        J::Completed => ("completed", "已完成"),
    };
    pick(en, zh, locale)
}

/// "Job 12 on PDF: completed. 2 labels on 2 pages. 1 shipment marked printed."
pub fn print_result(r: &satchel_ipc::PrintResult, locale: Locale) -> String {
    let state = job_state_name(r.state, locale);
    let summary = label_summary(r.labels, r.pages, r.drafts, locale);
    let mut s = match locale {
        Locale::En => format!("Job {} on {}: {state}. {summary}", r.job_id, r.printer),
        Locale::ZhHk => format!(
            "打印機 {} 的工作 {}：{state}。{summary}",
            r.printer, r.job_id
        ),
    };
    if r.operator_labels > 0 {
        s.push_str(&match locale {
            Locale::En => format!(
                " {} of them EC-Ship's own, printed unchanged.",
                r.operator_labels
            ),
            Locale::ZhHk => format!("其中 {} 個為 EC-Ship 標籤，按原樣列印。", r.operator_labels),
        });
    }
    if r.marked_printed > 0 {
        s.push_str(&match locale {
            Locale::En => format!(" {} marked printed.", r.marked_printed),
            Locale::ZhHk => format!("已將 {} 件標示為已列印。", r.marked_printed),
        });
    }
    if !r.missing_glyphs.is_empty() {
        s.push_str(&match locale {
            Locale::En => format!(
                " The font has no glyph for: {} (printed as boxes).",
                r.missing_glyphs
            ),
            Locale::ZhHk => format!("字型缺少以下字元：{}（會印成方格）。", r.missing_glyphs),
        });
    }
    s
}

/// A posting document's name.
pub fn posting_doc_name(doc: satchel_ipc::PostingDoc, locale: Locale) -> &'static str {
    use satchel_ipc::PostingDoc as D;
    let (en, zh) = match doc {
        D::Statement => (
            "Your posting list (not Pos 487R)",
            "你的投寄清單（非 Pos 487R）",
        ),
        D::BagLabels => (
            "Bag labels (A6, four per A4)",
            "郵袋標籤（A6，每張 A4 四個）",
        ),
        D::Certificate => (
            "Your list of items posted (not the official certificate)",
            "你的已投寄郵件清單（非正式證明書）",
        ),
        D::EcshipCertificate => (
            "EC-Ship's Certificate of Posting (official)",
            "EC-Ship 投寄證明書（正式）",
        ),
    };
    pick(en, zh, locale)
}

/// "2 items in 2 bags, 1 page."
pub fn posting_summary(p: &satchel_ipc::PostingPreview, locale: Locale) -> String {
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    match locale {
        Locale::En => format!(
            "{} item{} in {} bag{}, {} page{}.",
            p.items,
            plural(p.items),
            p.bags,
            plural(p.bags),
            p.pages,
            plural(p.pages)
        ),
        Locale::ZhHk => format!("共 {} 件，{} 個郵袋，{} 頁。", p.items, p.bags, p.pages),
    }
}

/// "Job 12 on PDF: completed. 1 page."
pub fn posting_print_result(r: &satchel_ipc::PostingPrintResult, locale: Locale) -> String {
    let state = job_state_name(r.state, locale);
    let mut s = match locale {
        Locale::En => format!(
            "Job {} on {}: {state}. {} page{}.",
            r.job_id,
            r.printer,
            r.pages,
            if r.pages == 1 { "" } else { "s" }
        ),
        Locale::ZhHk => format!(
            "打印機 {} 的工作 {}：{state}。共 {} 頁。",
            r.printer, r.job_id, r.pages
        ),
    };
    if !r.missing_glyphs.is_empty() {
        s.push_str(&match locale {
            Locale::En => format!(
                " The font has no glyph for: {} (printed as boxes).",
                r.missing_glyphs
            ),
            Locale::ZhHk => format!("字型缺少以下字元：{}（會印成方格）。", r.missing_glyphs),
        });
    }
    s
}

/// An EC-Ship job as the shipments list shows it: what it does and where it is.
pub fn job_text(job: &satchel_ipc::JobDto, locale: Locale) -> String {
    use satchel_ipc::{JobKind as K, JobState as S};
    let (en, zh) = match (job.kind, job.state) {
        (K::Submit, S::Queued) => ("Waiting to be sent", "等候提交"),
        (K::Submit, S::Running) => ("Sending", "提交中"),
        (K::Submit, S::Done) => ("Accepted by EC-Ship", "EC-Ship 已接受"),
        (K::Submit, S::Failed) => ("Submission failed", "提交失敗"),
        (K::Submit, S::Withdrawn) => ("Withdrawn before sending", "已於提交前撤回"),
        (K::Cancel, S::Queued) => ("Cancellation waiting", "等候取消"),
        (K::Cancel, S::Running) => ("Cancelling", "取消中"),
        (K::Cancel, S::Done) => ("Cancelled at EC-Ship", "已在 EC-Ship 取消"),
        (K::Cancel, S::Failed) => ("Cancellation failed", "取消失敗"),
        (K::Cancel, S::Withdrawn) => ("Cancellation withdrawn", "已撤回取消"),
    };
    let mut s = pick(en, zh, locale).to_owned();
    if job.attempts > 1 {
        s.push_str(&match locale {
            Locale::En => format!(" (attempt {})", job.attempts),
            Locale::ZhHk => format!("（第 {} 次）", job.attempts),
        });
    }
    s
}

/// A submission's price of record, as EC-Ship quoted it before the merchant submitted.
pub fn price_of_record(amount: &str, locale: Locale) -> String {
    match locale {
        Locale::En => format!("EC-Ship price HK${amount}"),
        Locale::ZhHk => format!("EC-Ship 報價 HK${amount}"),
    }
}

/// Where a job's error came from, before EC-Ship's own text (which is shown as it came).
pub fn job_error_source(kind: Option<satchel_ipc::JobErrorKind>, locale: Locale) -> &'static str {
    use satchel_ipc::JobErrorKind as E;
    let (en, zh) = match kind {
        Some(E::Ecship) => ("EC-Ship replied:", "EC-Ship 回覆："),
        Some(E::Transport) => ("Could not reach EC-Ship:", "無法連接 EC-Ship："),
        Some(E::Setup) => ("Check the EC-Ship settings:", "請檢查 EC-Ship 設定："),
        None => ("Error:", "錯誤："),
    };
    pick(en, zh, locale)
}

/// "2 queued, 1 already queued, 1 not queued."
pub fn submit_summary(r: &satchel_ipc::SubmitResponse, locale: Locale) -> String {
    let refused = r.refused.len();
    match locale {
        Locale::En => format!(
            "{} queued for EC-Ship, {} already queued, {refused} not queued.",
            r.queued, r.already_queued
        ),
        Locale::ZhHk => format!(
            "已排隊提交 {} 件，{} 件早已排隊，{refused} 件未能排隊。",
            r.queued, r.already_queued
        ),
    }
}

/// "1 of 2 done".
pub fn submit_done(done: u32, total: u32, locale: Locale) -> String {
    match locale {
        Locale::En => format!("{done} of {total} done"),
        Locale::ZhHk => format!("已完成 {done} / {total} 件"),
    }
}

/// One outbox result, as it arrives: "ZZ100000015HK numbered" or why not.
pub fn submit_outcome(p: &satchel_ipc::SubmitProgress, locale: Locale) -> String {
    let number = p.item_number.clone().unwrap_or_default();
    let error = p.error.clone().unwrap_or_default();
    use satchel_ipc::SubmitOutcome as O;
    match (p.outcome, locale) {
        (O::Numbered, Locale::En) => format!("Numbered: {number}"),
        (O::Numbered, Locale::ZhHk) => format!("已編號：{number}"),
        (O::Cancelled, Locale::En) => "Cancelled at EC-Ship.".into(),
        (O::Cancelled, Locale::ZhHk) => "已在 EC-Ship 取消。".into(),
        (O::WillRetry, Locale::En) => format!("Will try again: {error}"),
        (O::WillRetry, Locale::ZhHk) => format!("稍後重試：{error}"),
        (O::Failed, Locale::En) => format!("Failed: {error}"),
        (O::Failed, Locale::ZhHk) => format!("失敗：{error}"),
    }
}

/// What `cancel_submission` did.
pub fn cancel_outcome(outcome: satchel_ipc::CancelOutcome, locale: Locale) -> &'static str {
    use satchel_ipc::CancelOutcome as C;
    let (en, zh) = match outcome {
        C::Withdrawn => (
            "Withdrawn: it had not been sent, so EC-Ship has nothing to cancel.",
            "已撤回：尚未提交，EC-Ship 無須取消。",
        ),
        C::AlreadyQueued => (
            "A cancellation is already waiting to be sent.",
            "取消要求早已排隊等候。",
        ),
        C::Queued => (
            "Cancellation queued: it goes to EC-Ship when online.",
            "已排隊取消：上線後會送交 EC-Ship。",
        ),
    };
    pick(en, zh, locale)
}

/// "5 minutes", for the app lock's choices.
pub fn minutes(n: u32, locale: Locale) -> String {
    match (n, locale) {
        (1, Locale::En) => "1 minute".into(),
        (n, Locale::En) => format!("{n} minutes"),
        (n, Locale::ZhHk) => format!("{n} 分鐘"),
    }
}

/// One sync attempt of the history list: what went each way, or why it failed.
pub fn sync_run(run: &satchel_ipc::SyncRunDto, locale: Locale) -> String {
    match (&run.error, locale) {
        (Some(e), Locale::En) => format!("Failed: {e}"),
        (Some(e), Locale::ZhHk) => format!("失敗：{e}"),
        (None, Locale::En) => format!("{} sent, {} received", run.pushed, run.pulled),
        (None, Locale::ZhHk) => format!("已傳送 {} 項，已接收 {} 項", run.pushed, run.pulled),
    }
}

// --- Shop orders and the catalogue (issue #14) ------------------------------------------------

/// "Shopify order export: 3 orders, 4 line items. 2 drafts complete, 1 with problems."
pub fn shop_file_summary(f: &satchel_ipc::ShopFileDto, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{}: {}, {}. {} complete, {} with problems (shown in the list and the editor).",
            f.platform_name,
            count(f.orders, "order", "orders"),
            count(f.line_items, "line item", "line items"),
            count(f.complete, "draft", "drafts"),
            f.with_problems
        ),
        Locale::ZhHk => format!(
            "{}：{} 張訂單，{} 項貨品。{} 件草稿已完整，{} 件有問題（會在清單及編輯器中顯示）。",
            f.platform_name, f.orders, f.line_items, f.complete, f.with_problems
        ),
    }
}

/// "1 order", "3 orders".
fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 cancelled" for the lines a shop export's import leaves out.
pub fn skip_count(reason: &str, count: u32, locale: Locale) -> String {
    let (en, zh) = match reason {
        "cancelled" => ("cancelled", "已取消"),
        "refunded" => ("refunded", "已退款"),
        "fulfilled" => ("already fulfilled", "已出貨"),
        "not_shipping" => ("need no shipping", "毋須寄送"),
        "unpaid" => ("not paid", "未付款"),
        other => (other, other),
    };
    match locale {
        Locale::En => format!("{count} {en}"),
        Locale::ZhHk => format!("{zh} {count} 項"),
    }
}

/// What an order import did.
pub fn shop_import_summary(r: &satchel_ipc::ImportReport, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{} drafts imported; {} updated, {} unchanged, {} kept as stored, {} held for review, {} orders without an address.",
            r.imported, r.updated, r.unchanged, r.kept_existing, r.duplicates, r.rejected
        ),
        Locale::ZhHk => format!(
            "已匯入 {} 件草稿；更新 {} 件，無變更 {} 件，保留現有 {} 件，待檢查 {} 件，{} 張訂單沒有地址。",
            r.imported, r.updated, r.unchanged, r.kept_existing, r.duplicates, r.rejected
        ),
    }
}

/// "Saved. 2 drafts completed with it."
pub fn catalogue_saved(r: &satchel_ipc::CatalogueReportDto, locale: Locale) -> String {
    match locale {
        Locale::En => format!(
            "{} product(s) saved; {} draft(s) completed with them.",
            r.saved, r.drafts_completed
        ),
        Locale::ZhHk => format!(
            "已儲存 {} 項產品；{} 件草稿已據此補齊。",
            r.saved, r.drafts_completed
        ),
    }
}

/// Words of the shop and catalogue screens, in both languages.
pub fn shop_text(key: &str, locale: Locale) -> &'static str {
    let (en, zh) = match key {
        "skipped" => ("Lines left out:", "未匯入的項目："),
        "unusable" => ("Orders that cannot be shipments:", "無法成為郵件的訂單："),
        "unknown" => (
            "SKUs not in the catalogue: add each once and every draft that uses it is completed.",
            "產品目錄未有的 SKU：每項新增一次，所有用到它的草稿都會補齊。",
        ),
        "add" => ("Add to catalogue", "加入產品目錄"),
        "catalogue" => ("Product catalogue", "產品目錄"),
        "catalogue_help" => (
            "What each SKU your shop sells is, for customs: imported orders get their customs lines and weight from here.",
            "列明店舖每個 SKU 的報關資料：匯入的訂單會由此取得報關項目及重量。",
        ),
        "catalogue_import" => ("Import a catalogue CSV", "匯入產品目錄 CSV"),
        "catalogue_export" => ("Export the catalogue", "匯出產品目錄"),
        "catalogue_empty" => ("No products yet.", "尚未有產品。"),
        "sku" => ("SKU", "SKU"),
        "description_en" => ("Description (English)", "描述（英文）"),
        "description_zh" => ("Description (Chinese)", "描述（中文）"),
        "hs_code" => ("HS code", "HS 編碼"),
        "origin" => ("Origin", "原產地"),
        "unit_weight_g" => ("Unit weight (g)", "單件重量（克）"),
        "unit_value" => ("Unit value", "單件價值"),
        "currency" => ("Currency", "貨幣"),
        "category" => ("Category", "類別"),
        "orders" => ("Orders", "訂單"),
        "title" => ("In the shop", "店舖名稱"),
        "eu_ok" => ("May go to the EU, Switzerland and Norway as written (R-069)", "可按原文寄往歐盟、瑞士及挪威（R-069）"),
        "save_product" => ("Save product", "儲存產品"),
        "new_product" => ("New product", "新產品"),
        "defaults" => ("Shipping defaults", "預設寄件設定"),
        "defaults_help" => (
            "How an imported order becomes a draft: the packaging added to the goods' weight, the box it goes in, and the service (service ids in order of preference; empty: the cheapest that can carry it). Per destination, one line each: JP: speedpost, e_express.",
            "匯入的訂單如何成為草稿：貨品重量以外加上的包裝重量、所用的箱、以及服務（按優先次序填寫服務代號；留空即選可寄送的最便宜服務）。按目的地設定，每行一項：JP: speedpost, e_express。",
        ),
        "packaging_g" => ("Packaging (g)", "包裝（克）"),
        "prefer" => ("Services, in order", "服務（按優先次序）"),
        "prefer_by_destination" => ("Per destination", "按目的地"),
        "box_name" => ("Box name", "箱名稱"),
        "box_length_mm" => ("Box length (mm)", "箱長（毫米）"),
        "box_width_mm" => ("Box width (mm)", "箱闊（毫米）"),
        "box_height_mm" => ("Box height (mm)", "箱高（毫米）"),
        "box_weight_g" => ("Box weight (g)", "箱重（克）"),
        "save_defaults" => ("Save defaults", "儲存預設"),
        "saved" => ("Saved.", "已儲存。"),
        _ => ("", ""),
    };
    pick(en, zh, locale)
}
