"""The Prometheus alert rules in deploy/: valid for Prometheus, firing when they should and not
otherwise (promtool's rule tests), and naming only metrics the bot exports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.app.test_deploy import tool_or_skip
from tests.harness.hooked import HookedWorld
from tests.harness.installation import ROOT

RULES = ROOT / "deploy" / "prometheus" / "tocns-bot-alerts.yml"
BOT = '{job="tocns-bot", instance="127.0.0.1:8443"}'
ALERT_LABELS = "job: tocns-bot, instance: 127.0.0.1:8443"


def _summary(alert: str) -> str:
    text = RULES.read_text(encoding="utf-8")
    block = text[text.index(f"- alert: {alert}\n"):]
    match = re.search(r'summary: "(.*)"', block)
    assert match
    return match[1]


def _case(alert: str, series: list[str], quiet_at: str, firing_at: str,
          labels: str = ALERT_LABELS) -> str:
    lines = "\n".join(f"      - {{series: '{s.split(' ', 1)[0]}', values: '{s.split(' ', 1)[1]}'}}"
                      for s in series)
    return f"""  - interval: 1m
    input_series:
{lines}
    alert_rule_test:
      - {{eval_time: {quiet_at}, alertname: {alert}, exp_alerts: []}}
      - eval_time: {firing_at}
        alertname: {alert}
        exp_alerts:
          - exp_labels: {{severity: {"critical" if alert.endswith(("Down", "Unhealthy"))
                                     else "warning"}, {labels}}}
            exp_annotations: {{summary: "{_summary(alert)}"}}
"""


def test_promtool_accepts_the_rules_and_each_alert_fires_only_when_it_should(
        tmp_path: Path) -> None:
    promtool = tool_or_skip("promtool", "prometheus")
    check = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True,
                           text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    cases = [
        _case("TocnsBotDown", [f"up{BOT} 1 1 0x10"], "4m", "10m"),
        _case("TocnsBotUnhealthy", [f"tocns_database_up{BOT} 1 1 1 0x10"], "5m", "12m"),
        # Overdue outside quiet hours (the bot's own rule) for 10 minutes.
        _case("TocnsOutboxStuck", [f"tocns_outbox_stuck{BOT} 0x5 1x20"], "12m", "20m"),
        # +Inf: no backup at all.
        _case("TocnsBackupOld", [f"tocns_backup_age_seconds{BOT} 3600x10 +Inf+0x40"],
              "30m", "50m"),
        # Errors: 2 a minute, but refused knocks from outside are not counted.
        _case("TocnsErrors", [
            'tocns_errors_total{job="tocns-bot", kind="send"} 0+2x40',
            'tocns_errors_total{job="tocns-bot", kind="webhook_secret"} 0+500x40'],
              "10m", "35m", labels=""),
    ]
    # The last update a day and a bit ago (Unix time 0 is the tests' start).
    cases.append(_case("TocnsNoUpdates", [
        'tocns_last_update_timestamp_seconds{job="tocns-bot", channel="zalo"} 0x2000'],
        "1400m", "1500m", labels=""))
    tests = tmp_path / "alerts_test.yml"
    tests.write_text(f"rule_files: [{RULES}]\nevaluation_interval: 1m\ntests:\n"
                     + "".join(cases), encoding="utf-8")
    result = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_the_rules_name_only_metrics_the_bot_exports(hooked: HookedWorld) -> None:
    await hooked.person("member_1").send("/help")  # an update, so its gauge exists
    await hooked.person("member_1").next_message()
    status, body, _ = await hooked.get("/metrics")
    assert status == 200
    families = list(text_string_to_metric_families(body.decode()))
    exported = {sample.name for family in families for sample in family.samples}
    # A counter with labels has no sample before its first event; its family is there.
    exported |= {f"{family.name}_total" for family in families if family.type == "counter"}
    exprs = re.findall(r"expr: (?:>\n\s*)?(.+)", RULES.read_text(encoding="utf-8"))
    assert len(exprs) == 6
    named = {name for expr in exprs for name in re.findall(r"\b(tocns_[a-z_]+)\b", expr)}
    assert named == {"tocns_database_up", "tocns_scheduler_up", "tocns_outbox_stuck",
                     "tocns_last_update_timestamp_seconds", "tocns_backup_age_seconds",
                     "tocns_errors_total"}
    assert named <= exported, named - exported
