def test_fresh_database_is_empty(db):
    db.run("CREATE TABLE t (id int)")
    assert db.query("SELECT count(*) FROM pg_class WHERE relname = 't'") == [(1,)]


def test_second_database_does_not_see_first(db):
    assert db.query("SELECT count(*) FROM pg_class WHERE relname = 't'") == [(0,)]
