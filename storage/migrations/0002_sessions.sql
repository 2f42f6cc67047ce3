-- Assistance sessions: a member helped N citizens with something on a day.
-- Categories are data (they differ by province and year): admins edit them without a release.

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,               -- short, typed in the quick form: 'cks'
    label_vi TEXT NOT NULL,
    label_en TEXT NOT NULL,
    emoji TEXT NOT NULL DEFAULT '',
    aliases TEXT NOT NULL DEFAULT '[]',       -- JSON list of typing aliases, any diacritics
    position INTEGER NOT NULL DEFAULT 0,      -- order of the buttons
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'))
);

INSERT INTO categories (code, label_vi, label_en, emoji, aliases, position) VALUES
 ('cks', 'Chữ ký số công cộng', 'Public digital signature', '✍️',
  '["chữ ký số", "chu ky so", "ky so", "cks", "chữ ký điện tử", "digital signature", "signature"]', 1),
 ('tmdt', 'Đưa hộ sản xuất lên sàn TMĐT', 'E-commerce onboarding', '🛒',
  '["sàn tmđt", "san tmdt", "tmđt", "thương mại điện tử", "thuong mai dien tu", "sàn", "san", "postmart", "voso", "shopee", "e-commerce", "ecommerce"]', 2),
 ('vneid', 'Định danh điện tử VNeID mức 2', 'VNeID e-ID level 2', '🪪',
  '["vneid", "định danh", "dinh danh", "định danh điện tử", "dddt", "mức 2", "muc 2", "e-id", "eid"]', 3),
 ('dvc', 'Dịch vụ công trực tuyến', 'Online public services', '🏛️',
  '["dịch vụ công", "dich vu cong", "dvc", "dvctt", "dịch vụ công trực tuyến", "public services", "public service"]', 4),
 ('ttkdtm', 'Thanh toán không dùng tiền mặt', 'Cashless payment', '💳',
  '["thanh toán", "thanh toan", "không tiền mặt", "khong tien mat", "ttkdtm", "qr", "ví điện tử", "vi dien tu", "viettel money", "cashless", "payment"]', 5),
 ('kns', 'Kỹ năng số, an toàn trên mạng', 'Digital skills and online safety', '🛡️',
  '["kỹ năng số", "ky nang so", "kns", "lừa đảo", "lua dao", "an toàn", "an toan", "an toàn mạng", "online safety", "digital skills", "safety"]', 6),
 ('khac', 'Khác', 'Other', '📌', '["khác", "khac", "other"]', 7);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    -- Where the member was when they logged it: reports stay right after a member moves.
    team_id INTEGER REFERENCES teams(id),
    commune_code TEXT REFERENCES communes(code),
    category_id INTEGER NOT NULL REFERENCES categories(id),
    citizens INTEGER NOT NULL CHECK (citizens >= 1),
    session_date TEXT NOT NULL,               -- the local day it happened, YYYY-MM-DD
    note TEXT,                                -- masked: no citizen ID or phone numbers
    photo_ref TEXT,                           -- a channel file reference, never the bytes
    channel TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,     -- one record however often Save arrives
    created_at TEXT NOT NULL,
    deleted_at TEXT                           -- undone; kept for the audit trail
);
CREATE INDEX sessions_member_date ON sessions(member_id, session_date);
CREATE INDEX sessions_team_date ON sessions(team_id, session_date);
CREATE INDEX sessions_commune_date ON sessions(commune_code, session_date);
CREATE INDEX sessions_date ON sessions(session_date);
