-- A broadcast's counts follow its delivery rows in the statement that changes them: a delivery
-- leaving 'pending' adds to the count of its new state, and a pending delivery erased by
-- /forget leaves the total. Counting in application code added to the counts of rows that
-- had been deleted meanwhile (sent > total).
CREATE TRIGGER deliveries_settled AFTER UPDATE OF state ON deliveries
WHEN OLD.state = 'pending' AND NEW.state IN ('sent', 'failed', 'gone', 'skipped')
BEGIN
    UPDATE broadcasts SET
        sent = sent + (NEW.state = 'sent'),
        failed = failed + (NEW.state = 'failed'),
        gone = gone + (NEW.state = 'gone'),
        skipped = skipped + (NEW.state = 'skipped')
    WHERE id = NEW.broadcast_id;
END;

CREATE TRIGGER deliveries_erased AFTER DELETE ON deliveries
WHEN OLD.state = 'pending'
BEGIN
    UPDATE broadcasts SET total = max(0, total - 1) WHERE id = OLD.broadcast_id;
END;
