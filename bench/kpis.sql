-- The core KPIs of cseval's metrics.json, as an analyst would write them in DuckDB, over the
-- canonical CSV (arrived_at etc. in Asia/Shanghai wall-clock time; the whole file is one
-- month, so no period filter is needed). Definitions follow docs/metrics.md.
CREATE TEMP TABLE c AS
SELECT *,
       answered_at IS NOT NULL AS answered,
       coalesce(resolved, resolved_at IS NOT NULL) AS is_resolved,
       epoch(answered_at) - epoch(arrived_at) AS resp_s
FROM read_csv('CSV_PATH', header = true, timestampformat = '%Y-%m-%d %H:%M:%S')
-- Outbound contacts (call-backs) are in no service figure.
WHERE direction IS DISTINCT FROM 'outbound';

COPY (
  SELECT channel,
         count(*) AS contacts,
         count(*) FILTER (WHERE answered) AS answered,
         avg(resp_s) FILTER (WHERE answered) AS asa_seconds,
         quantile_cont(resp_s, 0.5) FILTER (WHERE answered) AS p50,
         quantile_cont(resp_s, 0.9) FILTER (WHERE answered) AS p90,
         count(*) FILTER (WHERE answered AND is_resolved) / nullif(count(*) FILTER (WHERE answered), 0) AS resolution_rate,
         count(*) FILTER (WHERE answered AND resp_s <= 20)
           / nullif(count(*) - count(*) FILTER (WHERE NOT answered AND wait_seconds < 5), 0) AS service_level_20s
  FROM c GROUP BY channel ORDER BY channel
) TO 'OUT_DIR/channels.csv' (HEADER);
COPY (SELECT topic, count(*) AS n FROM c WHERE kind = 'consultation' GROUP BY topic ORDER BY n DESC, topic)
  TO 'OUT_DIR/topics.csv' (HEADER);
COPY (SELECT complaint_type, count(*) AS n FROM c WHERE kind = 'complaint' GROUP BY complaint_type ORDER BY n DESC, complaint_type)
  TO 'OUT_DIR/complaints.csv' (HEADER);
COPY (SELECT agent_id, count(*) AS contacts, count(*) FILTER (WHERE answered) AS answered,
             count(*) FILTER (WHERE answered AND is_resolved) / nullif(count(*) FILTER (WHERE answered), 0) AS resolution_rate
      FROM c WHERE agent_id IS NOT NULL GROUP BY agent_id ORDER BY agent_id)
  TO 'OUT_DIR/agents.csv' (HEADER);
COPY (SELECT CAST(arrived_at AS DATE) AS day, count(*) AS contacts FROM c GROUP BY day ORDER BY day)
  TO 'OUT_DIR/days.csv' (HEADER);
