-- :calls calls by the 20 bench salespeople over the last two years, each on
-- one of the deals (its team, stage and source copied as at the call), one
-- in four a conversation; call targets on both teams; a year of logins.
-- (bench/calls then has the module count the deals' counters and the
-- calls per day.)
SET jit = off;
CREATE TEMP TABLE bench_reps AS
SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, u.id AS user_id
  FROM res_users u WHERE u.login LIKE 'bench.rep.%';
CREATE TEMP TABLE bench_deals AS
SELECT row_number() OVER (ORDER BY l.id) - 1 AS n, l.id, l.stage_id, l.team_id,
       l.company_id, l.source_id
  FROM crm_lead l WHERE l.type = 'opportunity';
INSERT INTO crm_lead_call
    (lead_id, user_id, date, outcome, duration_minutes, stage_id, contact_status,
     team_id, company_id, source_id, is_conversation,
     create_uid, create_date, write_uid, write_date)
SELECT d.id, r.user_id,
       now() at time zone 'UTC' - (g % 730) * interval '1 day' - (g % 9) * interval '1 hour',
       o.outcome, CASE WHEN o.outcome IN ('conversation', 'meeting_booked') THEN 1 + g % 20 END,
       d.stage_id, 'attempted', d.team_id, d.company_id, d.source_id,
       o.outcome IN ('conversation', 'meeting_booked'), 1, now(), 1, now()
  FROM generate_series(1::bigint, :calls) AS g
  JOIN bench_deals d ON d.n = (g * 7919) % (SELECT count(*) FROM bench_deals)
  JOIN bench_reps r ON r.n = g % 20
 CROSS JOIN LATERAL (SELECT (ARRAY['no_answer', 'voicemail', 'busy', 'conversation',
                                   'no_answer', 'wrong_number', 'meeting_booked', 'no_answer'])[1 + g % 8]
                            AS outcome) o;
ANALYZE crm_lead_call;
UPDATE crm_team SET call_target_daily = 8, call_target_weekly = 40;
INSERT INTO crm_user_login (user_id, date)
SELECT r.user_id, now() at time zone 'UTC' - d * interval '1 day'
  FROM bench_reps r CROSS JOIN generate_series(0, 364) AS d
 WHERE extract(isodow FROM now() - d * interval '1 day') <= 5;
ANALYZE crm_lead;
