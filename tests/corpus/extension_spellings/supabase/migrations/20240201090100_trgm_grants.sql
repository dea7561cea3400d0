-- The grants `supabase db diff` writes for pg_trgm's functions in public.
grant execute on function public.similarity(text, text) to anon, authenticated, service_role;
grant execute on function public.word_similarity(text, text) to authenticated;
grant execute on function public.show_trgm(text) to service_role;
grant all on function public.gtrgm_in(cstring) to service_role;
grant all on function public.gtrgm_out(public.gtrgm) to service_role;
grant all on function public.gtrgm_consistent(internal, text, smallint, oid, internal) to service_role;
grant all on function public.set_limit(real) to service_role;
