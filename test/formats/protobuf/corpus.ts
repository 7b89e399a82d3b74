// Realistic .proto files used by the parser tests and the protobufjs cross-check. Keys are import paths.

export const corpus: Record<string, string> = {
  'acme/common/v1/money.proto': `syntax = "proto3";

package acme.common.v1;

option java_package = "com.acme.common.v1";
option go_package = "github.com/acme/common/v1;commonv1";

// An amount in minor units with its ISO 4217 currency.
message Amount {
  int64 minor_units = 1;
  string currency_code = 2;
}

// Where a parcel goes.
message Address {
  string line1 = 1;
  string line2 = 2;
  string city = 3;
  string postal_code = 4;
  string country_code = 5;
}
`,

  'acme/common/v1/all.proto': `syntax = "proto3";
package acme.common.v1;
import public "acme/common/v1/money.proto";
import "google/protobuf/timestamp.proto";

message Audit {
  google.protobuf.Timestamp created_at = 1;
  string created_by = 2;
}
`,

  'acme/orders/v1/order_placed.proto': `syntax = "proto3";

package acme.orders.v1;

import "google/protobuf/timestamp.proto";
import "google/type/money.proto";
import "acme/common/v1/all.proto";

option java_multiple_files = true;

// Emitted once when a customer places an order.
message OrderPlaced {
  // Unique order id (UUID).
  string order_id = 1;
  string customer_id = 2;
  OrderStatus status = 3;
  repeated LineItem items = 4;
  map<string, string> attributes = 5;
  acme.common.v1.Amount total = 6;
  google.type.Money shipping_cost = 7;
  common.v1.Address ship_to = 8;
  oneof payment {
    CardPayment card = 10;
    BankTransfer bank_transfer = 11 [deprecated = true];
  }
  optional string coupon_code = 12;
  google.protobuf.Timestamp updated_at = 15;
  .acme.common.v1.Audit audit = 16;

  message LineItem {
    string sku = 1;
    int32 quantity = 2;
    acme.common.v1.Amount unit_price = 3;
    Kind kind = 4;
    enum Kind {
      KIND_UNSPECIFIED = 0;
      PHYSICAL = 1;
      DIGITAL = 2;
    }
  }
  message CardPayment {
    string last4 = 1;
    string network = 2;
  }
  message BankTransfer {
    string iban = 1;
  }
  reserved 9, 13 to 14;
  reserved "legacy_total";
}

enum OrderStatus {
  ORDER_STATUS_UNSPECIFIED = 0;
  ORDER_STATUS_PLACED = 1;
  ORDER_STATUS_PAID = 2 [deprecated = true];
  ORDER_STATUS_SHIPPED = 3;
  reserved 4, 6 to 8;
  reserved "ORDER_STATUS_LOST";
}
`,

  'acme/shipping/v1/shipment.proto': `syntax = "proto3";
package acme.shipping.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";
import "google/type/date.proto";
import "google/type/latlng.proto";

message ShipmentDispatched {
  string shipment_id = 1;
  google.protobuf.Timestamp dispatched_at = 2;
  google.protobuf.Duration eta = 3;
  google.type.Date delivery_date = 4;
  google.type.LatLng origin = 5;
  google.protobuf.StringValue tracking_url = 6;
  google.protobuf.Struct metadata = 7;
  repeated Parcel parcels = 8;
  map<int32, Parcel> parcels_by_index = 9;
  Carrier carrier = 10;
  google.protobuf.Timestamp updated_at = 11;

  message Parcel {
    string parcel_id = 1;
    double weight_kg = 2;
    Dimensions dimensions = 3;
    message Dimensions {
      float length_cm = 1;
      float width_cm = 2;
      float height_cm = 3;
    }
  }
  enum Carrier {
    CARRIER_UNSPECIFIED = 0;
    DHL = 1;
    UPS = 2;
    FEDEX = 3;
  }
}
`,

  'legacy/inventory.proto': `// No syntax statement: proto2, as protoc assumes.
package legacy.inventory;

import "google/protobuf/descriptor.proto";

extend google.protobuf.FieldOptions {
  optional bool pii = 50001;
  optional string classification = 50002;
}

message StockAdjusted {
  required string sku = 1 [(pii) = false];
  optional int32 delta = 2 [default = -1];
  optional string reason = 3 [default = "manual"];
  repeated group Batch = 4 {
    required string batch_id = 5;
    optional int64 quantity = 6;
  }
  optional Warehouse warehouse = 7 [default = WAREHOUSE_MAIN];
  optional double ratio = 8 [default = inf];
  extensions 100 to 199;
  enum Warehouse {
    WAREHOUSE_MAIN = 1;
    WAREHOUSE_OVERFLOW = 2;
  }
}

extend StockAdjusted {
  optional string note = 100;
}

service Inventory {
  rpc Adjust (StockAdjusted) returns (StockAdjusted);
  rpc Watch (stream StockAdjusted) returns (stream StockAdjusted) {
    option deprecated = true;
  }
}
`,

  'acme/billing/v1/invoice.proto': `edition = "2023";

package acme.billing.v1;

import "google/protobuf/timestamp.proto";

option features.field_presence = EXPLICIT;

message InvoiceIssued {
  string invoice_id = 1;
  int64 amount_minor = 2 [features.field_presence = IMPLICIT];
  string legacy_code = 3 [features.field_presence = LEGACY_REQUIRED];
  repeated string lines = 4;
  google.protobuf.Timestamp updated_at = 5;
  reserved old_amount, old_currency;

  message Note {
    option features.field_presence = IMPLICIT;
    string text = 1;
  }
}
`,

  'acme/users/v1/user.proto': `syntax = "proto3";
package acme.users.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/any.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/empty.proto";
import "google/type/dayofweek.proto";
import "google/type/month.proto";
import "google/type/decimal.proto";
import "google/type/timeofday.proto";

/*
 * A user changed their profile.
 * Carries the changed fields only.
 */
message UserProfileUpdated {
  string user_id = 1;
  google.protobuf.FieldMask changed = 2;
  google.protobuf.Any extra = 3;
  google.type.DayOfWeek preferred_day = 4;
  google.type.Month birth_month = 5;
  google.type.Decimal credit_limit = 6;
  google.type.TimeOfDay quiet_from = 7;
  google.protobuf.Timestamp updated_at = 8;
  bytes avatar = 9;
  sint64 karma = 10;
  fixed32 flags = 11;
  sfixed64 big = 12;
  uint32 logins = 13;
  fixed64 f64 = 14;
  sfixed32 s32 = 15;
  uint64 u64 = 16;
  sint32 s32b = 17;
  bool verified = 18;
  oneof contact {
    string email = 19;
    string phone = 20;
  }
  oneof locale {
    string language_tag = 21;
  }
}

service Users {
  rpc Touch (google.protobuf.Empty) returns (UserProfileUpdated);
}
`,
};
