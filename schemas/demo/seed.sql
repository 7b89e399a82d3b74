-- Demo data for the quick start: the shop's database as an in-process PostgreSQL (PGlite).
-- `schemactl publish --once --config schemas/schemactl.yaml` liberates it into events.
CREATE TABLE orders (
  id            bigint PRIMARY KEY,
  order_id      uuid NOT NULL UNIQUE,
  customer_id   uuid NOT NULL,
  status        text NOT NULL,
  lines         jsonb NOT NULL,
  total         numeric(14, 2) NOT NULL,
  currency_code char(3) NOT NULL,
  coupon_code   text,
  placed_at     timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

INSERT INTO orders VALUES
  (1, '3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11', '8b1d2f30-5a4e-4f0e-9d55-3c8f7b6a1e01', 'PAID',
   '[{"sku": "SKU-1001", "quantity": 2, "unit_price": "19.99"}]', 39.98, 'EUR', NULL,
   '2026-11-02 09:15:00.123456+00', '2026-11-02 09:16:01.000001+00'),
  (2, '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '8b1d2f30-5a4e-4f0e-9d55-3c8f7b6a1e01', 'SHIPPED',
   '[{"sku": "SKU-2002", "quantity": 1, "unit_price": "249.00"}, {"sku": "SKU-1001", "quantity": 1, "unit_price": "19.99"}]', 268.99, 'EUR', 'WELCOME10',
   '2026-11-03 14:02:11+00', '2026-11-04 08:00:00+00'),
  (3, '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70', '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 'PLACED',
   '[{"sku": "SKU-3003", "quantity": 5, "unit_price": "4.50"}]', 22.50, 'USD', NULL,
   '2026-11-05 18:45:30.5+00', '2026-11-05 18:45:30.5+00'),
  -- a row that does not fit the schema: 'REFUNDED' is not an OrderStatus symbol. It goes to the
  -- dead-letter file with the reason, never to the topic.
  (4, '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', 'REFUNDED',
   '[{"sku": "SKU-3003", "quantity": 1, "unit_price": "4.50"}]', 4.50, 'USD', NULL,
   '2026-11-06 10:00:00+00', '2026-11-06 10:30:00+00');

CREATE TABLE stock_adjustments (
  id               bigserial PRIMARY KEY,
  sku              text NOT NULL,
  warehouse_code   text NOT NULL,
  quantity_on_hand integer NOT NULL,
  delta            integer NOT NULL,
  reason           text NOT NULL,
  updated_at       timestamptz NOT NULL
);

INSERT INTO stock_adjustments (sku, warehouse_code, quantity_on_hand, delta, reason, updated_at) VALUES
  ('SKU-1001', 'AMS-1', 120, 120, 'RECEIVED', '2026-11-01 06:00:00+00'),
  ('SKU-1001', 'AMS-1', 118, -2, 'SOLD', '2026-11-02 09:16:01+00'),
  ('SKU-2002', 'FRA-2', 14, -1, 'SOLD', '2026-11-03 14:02:11+00');

-- A transactional outbox with Debezium's column names: the shipping service writes here in the same
-- transaction as its own tables.
CREATE TABLE outbox (
  id            uuid PRIMARY KEY,
  aggregatetype text NOT NULL,
  aggregateid   text NOT NULL,
  type          text NOT NULL,
  payload       jsonb,
  timestamp     timestamptz NOT NULL DEFAULT now()
);

INSERT INTO outbox VALUES
  ('5e2a1c9b-0d7f-4e3a-9b8c-1a2b3c4d5e6f', 'order-shipped', '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'OrderShipped',
   '{"order_id": "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "warehouse_code": "FRA-2", "carrier": "DHL", "tracking_number": "JD0146000033", "shipped_at": "2026-11-04 07:55:00+00", "updated_at": "2026-11-04 08:00:00+00"}',
   '2026-11-04 08:00:00+00');
