"""Digest charts that can still be read once forwarded: which place and week, how complete the
reporting is, whole category names. The PNGs come through the sandbox (Telegram in
Vietnamese, Zalo in English); what they say is read from the same figures as drawn."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.figure import Figure as MplFigure

from bot.app.demo_activity import seed_demo_activity
from bot.core import calendar as periods
from handlers.render.charts import commune_figure, province_figure
from handlers.steering.weekly import commune_digest, province_digest
from tests.harness.zalo_world import ZaloWorld

PNG = b"\x89PNG\r\n\x1a\n"


def _texts(figure: MplFigure) -> str:
    """Every text the figure draws: titles, tick labels, bar labels, legend."""
    return "\n".join(text.get_text() for text in figure.findobj(
        lambda artist: hasattr(artist, "get_text") and artist.get_visible()))


def _keep(name: str, data: bytes) -> None:
    """CHART_DIR=/some/dir keeps the PNGs, to look at them."""
    folder = os.environ.get("CHART_DIR")
    if folder:
        Path(folder, name).write_bytes(data)


async def test_the_charts_say_place_week_and_completeness_with_whole_names(
        zworld: ZaloWorld) -> None:
    world = zworld.world
    await seed_demo_activity(world.services, weeks=3)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("digest", "last")
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    png = await coordinator.download(digest)
    assert png.startswith(PNG)
    _keep("commune-vi.png", png)

    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    await on_zalo.send("/digest last")
    photo = await on_zalo.wait_for(lambda m: m.photo_url is not None, timeout=15)
    assert photo.photo_url is not None
    async with world.sandbox.client_session.get(photo.photo_url) as response:
        zalo_png = await response.read()
    assert zalo_png.startswith(PNG)
    _keep("province-en.png", zalo_png)

    # What those charts say, from the same figures.
    today = world.clock().date()
    last = periods.last_week(today)
    commune = await commune_digest(world.services, "31441", last, "vi", today)
    assert commune is not None
    drawn = _texts(commune_figure(world.services.t, "vi", commune))
    assert "Xã Vị Thủy" in drawn
    assert "tuần 16/11/2026–22/11/2026" in drawn
    assert "Tổ đã báo cáo: " in drawn
    flat = drawn.replace("\n", " ")
    assert "Định danh điện tử VNeID mức 2" in flat
    assert "Thanh toán không dùng tiền mặt" in flat
    assert "…" not in drawn

    province = await province_digest(world.services, world.services.settings.province_code,
                                     last, "en", today)
    drawn = _texts(province_figure(world.services.t, "en", province))
    assert "Thành phố Cần Thơ" in drawn
    assert "week 16 Nov 2026–22 Nov 2026" in drawn
    assert "Teams reporting: " in drawn
    assert "· 17/17" in drawn                                      # Vị Thủy: all 17 reported
