package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Safetensors as other writers lay them out: tensors found by their data offsets whatever the header's
 * order, half-precision types widened, and what does not fit refused with the tensor named.
 */
class PeftSafetensorsTest {
    @TempDir
    Path dir;

    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve("t.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void tensorsAreReadWhereTheirOffsetsPutThemAndHalfTypesAreWidened() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        // F32 [2] at 0..8, F16 [4] at 8..16, BF16 [2] at 16..20; the header lists them in another order.
        data.putFloat(0.25f).putFloat(-7f);
        data.putShort((short) 0x3c00).putShort((short) 0xc100).putShort((short) 0x7bff).putShort((short) 0x0001);
        data.putShort((short) 0x3f80).putShort((short) 0xc040);
        Path f = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[8,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data.array());
        Map<String, INDArray> t = PeftSafetensors.read(f);
        assertThat(t.keySet()).containsExactly("h", "b", "f");
        assertThat(t.get("f").toFloatVector()).containsExactly(0.25f, -7f);
        assertThat(t.get("h").shape()).containsExactly(2, 2);
        assertThat(t.get("h").reshape(4).toFloatVector()).containsExactly(1f, -2.5f, 65504f, 0x1p-24f);
        assertThat(t.get("b").toFloatVector()).containsExactly(1f, -3f);
    }

    @Test
    void otherTypesAndTensorsOutsideTheDataAreRefusedByName() throws IOException {
        Path ints = file("{\"ids\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        assertThatThrownBy(() -> PeftSafetensors.read(ints)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'ids' has type 'I32'").hasMessageContaining("float32");
        Path cut = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        assertThatThrownBy(() -> PeftSafetensors.read(cut)).isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'w'").hasMessageContaining("cut short");
    }
}
