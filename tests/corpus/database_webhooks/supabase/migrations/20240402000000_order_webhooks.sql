-- Database Webhooks, as the dashboard creates them (the trigger function
-- supabase_functions.http_request takes url, method, headers, params, timeout).
create trigger orders_created_webhook
    after insert on public.orders
    for each row
    execute function supabase_functions.http_request(
        'https://example.invalid/hook',
        'POST',
        '{"Content-Type":"application/json"}',
        '{}',
        '5000'
    );

-- The same, as `supabase db diff` writes it back.
CREATE OR REPLACE TRIGGER "orders_status_changed" AFTER UPDATE OF "status" ON "public"."orders" FOR EACH ROW EXECUTE FUNCTION "supabase_functions"."http_request"('https://example.invalid/functions/v1/order-status', 'POST', '{"Content-type":"application/json","Authorization":"Bearer placeholder"}', '{}', '1000');
