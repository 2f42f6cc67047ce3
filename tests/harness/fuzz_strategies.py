"""Hypothesis strategies for hostile and odd updates, from members, strangers, groups, a channel.

Updates are drawn as small descriptions (:class:`Step`) and made into raw Telegram / Zalo update
JSON only when run, so ids stay unique and a "press a button the bot showed" step can pick from
what the bot really showed in that chat by then.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from bot.app.demo import DEMO_INVITE_CODE, NEWCOMER_ID, PERSONA_IDS
from bot.core.invitations import ALPHABET

PERSONAS = tuple(PERSONA_IDS.values())
COMMANDS = ("start", "help", "me", "lang", "cancel", "log", "my", "undo", "invite", "team",
            "stats", "export", "member", "digest", "broadcast", "audit", "import", "category",
            "schedule", "join", "mydata", "forget", "nope", "START", "log@tocns_bot")
BAIT = (
    "'; DROP TABLE members; --", "1' OR '1'='1", "\" OR 1=1 --", "%' AND 1=0 UNION SELECT 1 --",
    "<b>đậm</b><script>alert(1)</script>", "<a href='tg://user?id=1'>x</a>", "&amp;&lt;",
    "{name} {0} {} {{}} {__class__}", "%s %d %(name)s %n", "${jndi:ldap://x/a}", "{{7*7}}",
    "\x00\x01\x1b[31m", "../../etc/passwd", "C:\\Windows\\system32", "null", "NaN", "-1",
    "9" * 40, "0", "3 cks", "cks 2 hướng dẫn dịch vụ công", "dvc 2 cài vneid cho bà con",
    "📝 Ghi nhận hỗ trợ", "📊 Của tôi", "1", "2", "3", "12", DEMO_INVITE_CODE,
    "CCCD 079123456789 sđt 0912 345 678", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0",
)
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2069\ufeff"
ROUTES = ("log", "undo", "mem", "team", "inv", "bc", "exp", "imp", "dg", "lang", "join", "pd",
          "fg", "xyz", "")
VERBS = ("s", "c", "n", "d", "e", "x", "v", "rn", "rnok", "off", "offok", "on", "m", "t", "mc",
         "mp", "ma", "aud", "aud:r", "aud:p", "go", "stop", "ok", "no", "pick", "p", "start",
         "this", "last", "vi", "en", "xx", "admin", "")


@dataclass(frozen=True)
class Who:
    user_id: int
    #: "private", "group" (a group the bot is in) — a channel post has no person.
    chat: str = "private"


@dataclass(frozen=True)
class Step:
    channel: str          # "telegram" | "zalo"
    kind: str             # text, quick_save, press, shown, photo, document, sticker, location,
    #                       contact, edited, channel_post, member_status, image, unknown_event
    who: Who
    text: str = ""
    data: str = ""
    pick: int = 0         # which shown button (for "shown")
    seconds: int = 2      # the clock moves on this much before the update


huge = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=8),
                 st.integers(200, 1200))
texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=INVISIBLE + "ab 3", max_size=40),
    st.sampled_from(BAIT),
    st.builds(lambda c, a: f"/{c} {a}".strip(), st.sampled_from(COMMANDS),
              st.one_of(st.just(""), st.sampled_from(BAIT), st.text(max_size=30))),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
    st.builds(lambda a, b: a + b, st.sampled_from(BAIT), st.text(alphabet=INVISIBLE,
                                                                 max_size=4)),
    huge,
)
forged = st.one_of(
    st.text(max_size=80),
    st.builds(lambda r, v, rest: ":".join(p for p in (r, v, *rest)),
              st.sampled_from(ROUTES), st.sampled_from(VERBS),
              st.lists(st.one_of(st.integers(-5, 10**13).map(str), st.sampled_from(
                  ("-", "?", "p", "c31441", "t349", "vi", "admin", "new", "0", "99999",
                   "member", "team_leader", "abcdef", DEMO_INVITE_CODE)),
                  st.text(max_size=6)), max_size=3)),
)
people = st.one_of(
    st.sampled_from(PERSONAS).map(Who),
    st.just(Who(NEWCOMER_ID)),
    st.integers(10_000, 10**9).map(Who),                        # strangers
    st.sampled_from(PERSONAS).map(lambda u: Who(u, "group")),   # members in a group chat
)
seconds = st.integers(1, 5)


def _step(channel: str, kind: str) -> st.SearchStrategy[Step]:
    return st.builds(Step, channel=st.just(channel), kind=st.just(kind), who=people,
                     text=texts, data=forged, pick=st.integers(0, 40), seconds=seconds)


telegram_steps = st.one_of(
    _step("telegram", "quick_save"),  # a quick log confirmed with the Save button shown
    _step("telegram", "text"), _step("telegram", "text"), _step("telegram", "shown"),
    _step("telegram", "shown"), _step("telegram", "press"), _step("telegram", "photo"),
    _step("telegram", "document"), _step("telegram", "sticker"), _step("telegram", "location"),
    _step("telegram", "contact"), _step("telegram", "edited"), _step("telegram", "channel_post"),
    _step("telegram", "member_status"),
)
zalo_steps = st.one_of(
    _step("zalo", "text"), _step("zalo", "text"), _step("zalo", "number"),
    _step("zalo", "image"), _step("zalo", "sticker"), _step("zalo", "unknown_event"),
)
steps = st.one_of(telegram_steps, zalo_steps)
