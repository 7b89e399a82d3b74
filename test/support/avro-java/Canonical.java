// The reference for the registry's Avro schema identity: Apache Avro Java's Schema.toString (compact),
// with the referenced schemas' names known, which is the string the Confluent registry stores and
// compares. Reads one JSON array per line on standard input, [schema, reference1, ...] (references
// parsed first, into the same parser), and prints per line a JSON string: the canonical text, or
// "invalid: message". Run as a single-file program: java -cp 'target/lib/*' Canonical.java
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

public class Canonical {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      JsonNode texts = mapper.readTree(line);
      String result;
      try {
        Schema.Parser parser = new Schema.Parser();
        List<Schema> refs = new ArrayList<>();
        for (int i = 1; i < texts.size(); i++) refs.add(parser.parse(texts.get(i).asText()));
        Schema main = parser.parse(texts.get(0).asText());
        result = main.toString(refs, false);
      } catch (Throwable e) {
        result = "invalid: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
      }
      out.append(mapper.writeValueAsString(result)).append('\n');
    }
    System.out.print(out);
    System.out.flush();
  }
}
