-- The sandbox inbox's tables: the inbox itself, then webhook subscriptions and their outbox.
CREATE TABLE IF NOT EXISTS channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE, role TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id), online INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    phone TEXT UNIQUE, email TEXT UNIQUE COLLATE NOCASE, language TEXT, profile_pic TEXT,
    country_code TEXT, lifecycle TEXT, created_at INTEGER NOT NULL,
    assignee_id INTEGER REFERENCES users(id), last_assignment_time INTEGER,
    conversation_id INTEGER REFERENCES conversations(id));
-- A contact's tags, in the order they were added.
CREATE TABLE IF NOT EXISTS contact_tags (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id), tag TEXT NOT NULL,
    UNIQUE (contact_id, tag));
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id),
    opened_time INTEGER NOT NULL, opened_by_source TEXT NOT NULL,
    closed_time INTEGER, closed_by_source TEXT, category TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id),
    conversation_id INTEGER REFERENCES conversations(id), channel_id INTEGER NOT NULL,
    traffic TEXT NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL, timestamp INTEGER NOT NULL,
    sender_source TEXT, sender_user_id INTEGER);
CREATE INDEX IF NOT EXISTS messages_by_contact ON messages(contact_id, id);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id),
    text TEXT NOT NULL, created_at INTEGER NOT NULL);
-- Every assignment asked for, through the API (source 'api') or by a person in the inbox ('user'), repeats
-- of the current assignee included: the record a test counts effects (and duplicates) from.
CREATE TABLE IF NOT EXISTS assignments (
    id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL REFERENCES contacts(id),
    conversation_id INTEGER REFERENCES conversations(id), assignee_id INTEGER REFERENCES users(id),
    source TEXT NOT NULL, by_user_id INTEGER REFERENCES users(id), created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS assignments_by_contact ON assignments(contact_id, id);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY, event TEXT NOT NULL, url TEXT NOT NULL, signing_key TEXT NOT NULL,
    UNIQUE (event, url, signing_key));
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER, last_error TEXT, next_attempt_at REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries(subscription_id, status, id);
