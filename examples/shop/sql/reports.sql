-- Weekly business report, run by the analytics notebook:
--   psql "$DATABASE_URL" -f sql/reports.sql

-- Recovered revenue per storefront and organization, last 7 days.
select o.name as organization,
       cc.business_name,
       sum(ca.total_value) as recovered_value,
       count(*) as recovered_carts
  from public.cart_abandonments ca
  join public.customer_configs cc on cc.id = ca.customer_id
  join public.organizations o on o.id = cc.organization_id
 where ca.recovered_at >= now() - interval '7 days'
 group by o.name, cc.business_name;

-- Funnel conversion by stage, conversations started this week.
with stages as (
    select cf.stage,
           count(*) as conversations,
           avg(cf.total_messages) as avg_messages
      from conversation_funnel cf
      join conversations c on c.id = cf.conversation_id
     where c.started_at >= date_trunc('week', now())
     group by cf.stage
)
select stage, conversations, avg_messages
  from stages;

-- Funnel alerts fired per funnel this month.
select f.name as funnel,
       r.metric_name,
       count(h.id) as fired,
       max(h.triggered_at) as last_fired
  from funnel_alert_history h
  join funnel_alert_rules r on r.id = h.alert_rule_id
  left join custom_funnels f on f.id = r.funnel_id
 where h.triggered_at >= date_trunc('month', now())
   and h.alert_sent
 group by f.name, r.metric_name;

-- Rebuild yesterday's cart rollup (worker/rollups.py does this nightly; this
-- is the backfill version).
insert into cart_analytics_daily
    (customer_id, "date", total_carts, abandoned_carts, recovered_carts, total_value_abandoned)
select m.customer_id,
       m.started_at::date,
       count(*),
       count(*) filter (where m.abandoned),
       count(a.recovered_at),
       coalesce(sum(a.total_value), 0)
  from cart_session_metrics m
  left join cart_abandonments a on a.session_id = m.session_id
 where m.started_at::date = current_date - 1
 group by m.customer_id, m.started_at::date
on conflict (customer_id, "date") do update
   set total_carts = excluded.total_carts,
       abandoned_carts = excluded.abandoned_carts,
       recovered_carts = excluded.recovered_carts,
       total_value_abandoned = excluded.total_value_abandoned,
       updated_at = now();

-- Housekeeping: drop the operations of sessions idle for more than 90 days.
delete from cart_operations
 where session_id in (
       select s.session_id
         from cart_session_metrics s
        where s.last_activity_at < now() - interval '90 days'
 );
