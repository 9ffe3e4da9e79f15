package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled rules pass promtool's check and their own unit tests; a broken file is refused with promtool's word. */
class AlertRulesTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void promtoolIsInstalled() {
        Installed.require("promtool");
    }

    private Path unitTests(Path rules) throws Exception {
        Path tests = rules.resolveSibling("attune-alerts.test.yml");
        try (InputStream in = getClass().getResourceAsStream("/dev/attune/monitoring/attune-alerts.test.yml")) {
            Files.write(tests, in.readAllBytes());
        }
        return tests;
    }

    @Test
    void theBundledRulesPassPromtoolsCheckAndTheirUnitTestsFireAndStayQuiet() throws Exception {
        Path rules = AlertRules.write(dir.resolve("attune-alerts.yml"));
        assertThat(Files.readString(rules)).isEqualTo(AlertRules.text()).contains("alert: AttuneServingHighErrorRate",
                "alert: AttuneServingSlowRequests", "alert: AttuneServingQueueNearFull", "alert: AttuneDriftWarning",
                "alert: AttuneDriftAlert");
        AlertRules.check(rules);
        AlertRules.test(unitTests(rules));
    }

    @Test
    void aRuleThatNoLongerFiresWhereItShouldFailsItsUnitTestsNamingTheAlert() throws Exception {
        Path rules = dir.resolve("attune-alerts.yml");
        Files.writeString(rules, AlertRules.text().replace("            > 0.05", "            > 0.5"));
        AlertRules.check(rules);                                        // still a valid file
        Path tests = unitTests(rules);
        assertThatThrownBy(() -> AlertRules.test(tests)).isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("the rules tests " + tests.toAbsolutePath() + " do not pass 'promtool test"
                        + " rules' (exit 1):")
                .hasMessageContaining("alertname: AttuneServingHighErrorRate, time: 15m")
                .hasMessageEndingWith("fix the rules or their tests");
    }

    @Test
    void aRulesFileThatDoesNotParseIsRefusedWithPromtoolsMessageAndTheFile() throws Exception {
        Path yaml = dir.resolve("broken-yaml.yml");
        Files.writeString(yaml, "groups:\n  - name: x\n    rules: [\n");
        assertThatThrownBy(() -> AlertRules.check(yaml)).isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("the alerting rules file " + yaml.toAbsolutePath() + " does not pass 'promtool"
                        + " check rules' (exit 1):")
                .hasMessageContaining("yaml")
                .hasMessageEndingWith("fix the file and check it again; Prometheus would not load it");

        Path promql = dir.resolve("broken-promql.yml");
        Files.writeString(promql, AlertRules.text().replace("attune_serving_queue_depth / attune_serving_queue_capacity",
                "attune_serving_queue_depth / / attune_serving_queue_capacity"));
        assertThatThrownBy(() -> AlertRules.check(promql)).isInstanceOf(AttuneException.class)
                .hasMessageContaining(promql.toAbsolutePath().toString())
                .hasMessageContaining("AttuneServingQueueNearFull").hasMessageContaining("parse error");
    }

    @Test
    void aMissingFileOrPromtoolIsNamed() throws Exception {
        Path none = dir.resolve("none.yml");
        assertThatThrownBy(() -> AlertRules.check(none)).isInstanceOf(AttuneException.class)
                .hasMessage("no alerting rules file at " + none.toAbsolutePath() + "; give the path of a YAML file");
        Path rules = AlertRules.write(dir.resolve("rules.yml"));
        Path noPromtool = dir.resolve("bin/promtool");
        assertThatThrownBy(() -> AlertRules.check(rules, noPromtool)).isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("cannot run " + noPromtool + " (")
                .hasMessageEndingWith("); install Prometheus's promtool (Debian and Ubuntu: apt-get install prometheus),"
                        + " or pass its path");
    }
}
