package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InfluxQueryTest {
  @Test
  void createDatabaseAndRetentionPolicyAreAcceptedInAnyCase() {
    assertNull(InfluxQuery.refusal("CREATE DATABASE \"telegraf\""));
    assertNull(InfluxQuery.refusal("create database telegraf with duration 30d"));
    assertNull(InfluxQuery.refusal("CREATE RETENTION POLICY \"a_year\" ON \"telegraf\" DURATION 52w REPLICATION 1"));
    assertNull(InfluxQuery.refusal("CREATE DATABASE a; CREATE DATABASE b;"));
  }

  @Test
  void anyOtherStatementIsRefusedByNumberAndKind() {
    String why = InfluxQuery.refusal("CREATE DATABASE a; select * from cpu");
    assertTrue(why.startsWith("statement 2 (SELECT * …) is not supported: Vigil takes InfluxDB writes"), why);
    assertTrue(InfluxQuery.refusal("SHOW DATABASES").startsWith("statement 1 (SHOW DATABASES …)"));
    assertTrue(InfluxQuery.refusal("DROP DATABASE telegraf").startsWith("statement 1 (DROP DATABASE …)"));
    assertTrue(InfluxQuery.refusal("CREATE USER admin WITH PASSWORD 'x'").startsWith("statement 1 (CREATE USER …)"));
    assertEquals("missing required parameter \"q\"", InfluxQuery.refusal(" ; ;"));
  }

  @Test
  void semicolonsInsideQuotesDoNotSplitStatements() {
    assertEquals(List.of("CREATE DATABASE \"a;b\"", "CREATE DATABASE 'c;\\'d'"),
        InfluxQuery.statements("CREATE DATABASE \"a;b\"; CREATE DATABASE 'c;\\'d'"));
    assertEquals(List.of("CREATE DATABASE x"), InfluxQuery.statements("  CREATE DATABASE x ;  "));
  }
}
