-- A later `supabase db pull`: only the difference, in db diff's spelling.
drop policy "Anyone reads published listings" on "public"."listings";

alter table "public"."listings" add column "published_at" timestamp with time zone;

CREATE INDEX listings_embedding_idx ON public.listings USING hnsw (embedding extensions.vector_cosine_ops);

CREATE INDEX listings_state_published_at_idx ON public.listings USING btree (state, published_at DESC) WHERE (state = 'published'::listing_state);

create policy "Anyone reads published listings"
on "public"."listings"
as permissive
for select
to anon, authenticated
using ((state = 'published'::listing_state));

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION public.publish_listing(listing uuid)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
  update public.listings
  set state = 'published', published_at = now()
  where id = listing and seller_id = (select auth.uid())
$function$
;

grant execute on function "public"."publish_listing"(uuid) to "authenticated";
