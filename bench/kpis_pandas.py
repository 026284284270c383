"""The core KPIs of cseval's metrics.json, as an analyst would write them in pandas, over the
canonical CSV (one month). Definitions follow docs/metrics.md. Usage: kpis_pandas.py CSV OUT_DIR"""
import sys

import pandas as pd

csv, out = sys.argv[1], sys.argv[2]
c = pd.read_csv(csv, parse_dates=["arrived_at", "answered_at", "resolved_at"])
# Outbound contacts (call-backs) are in no service figure.
c = c[c["direction"] != "outbound"]
c["answered"] = c["answered_at"].notna()
c["is_resolved"] = c["resolved"].fillna(c["resolved_at"].notna()).astype(bool)
c["resp_s"] = (c["answered_at"] - c["arrived_at"]).dt.total_seconds()
a = c[c["answered"]]

def per_channel(g):
    ans = g[g["answered"]]
    short = ((~g["answered"]) & (g["wait_seconds"] < 5)).sum()
    return pd.Series({
        "contacts": len(g),
        "answered": len(ans),
        "asa_seconds": ans["resp_s"].mean(),
        "p50": ans["resp_s"].quantile(0.5),
        "p90": ans["resp_s"].quantile(0.9),
        "resolution_rate": ans["is_resolved"].sum() / len(ans) if len(ans) else None,
        "service_level_20s": (ans["resp_s"] <= 20).sum() / (len(g) - short),
    })

c.groupby("channel").apply(per_channel).to_csv(f"{out}/channels.csv")
c[c["kind"] == "consultation"].groupby("topic").size().sort_values(ascending=False).to_csv(f"{out}/topics.csv")
c[c["kind"] == "complaint"].groupby("complaint_type").size().sort_values(ascending=False).to_csv(f"{out}/complaints.csv")
c.groupby("agent_id").agg(contacts=("contact_id", "size"), answered=("answered", "sum")).to_csv(f"{out}/agents.csv")
c.groupby(c["arrived_at"].dt.date).size().to_csv(f"{out}/days.csv")
