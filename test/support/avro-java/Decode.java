// The reference reader for encoded Avro values: Apache Avro Java reads each value with a reader built
// from the schema's own text (a fresh Schema.Parser), must consume every byte, and prints the datum as
// GenericData renders it (JSON). Input, one per line on standard input: `schema-file<TAB>hex-bytes`.
// Output, one line each: `ok<TAB>json` or `error<TAB>message`. Run as a single-file program:
//   java -cp 'target/lib/*' Decode.java
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

public class Decode {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) continue;
      int tab = line.indexOf('\t');
      try {
        Schema schema = new Schema.Parser().parse(Files.readString(Path.of(line.substring(0, tab)), StandardCharsets.UTF_8));
        byte[] bytes = HexFormat.of().parseHex(line.substring(tab + 1));
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        Object datum = new GenericDatumReader<Object>(schema).read(null, decoder);
        if (!decoder.isEnd()) throw new IllegalStateException("bytes left after the value");
        out.append("ok\t").append(GenericData.get().toString(datum).replace('\n', ' ')).append('\n');
      } catch (Exception e) {
        out.append("error\t").append(String.valueOf(e.getMessage()).replace('\n', ' ')).append('\n');
      }
    }
    System.out.print(out);
  }
}
