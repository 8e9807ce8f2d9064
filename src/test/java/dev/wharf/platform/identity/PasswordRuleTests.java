package dev.wharf.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordRuleTests {

    static String problem(String name, String password) {
        return PasswordRule.problem(name, password).orElse("ok");
    }

    @Test
    void lengthIsTwelveCharactersToSeventyTwoBytes() {
        assertThat(problem("bob", "Xq7#kLm2vB9")).isEqualTo("password must have at least 12 characters");
        assertThat(problem("bob", "Xq7#kLm2vB9!")).isEqualTo("ok");
        assertThat(problem("bob", "é".repeat(37))).isEqualTo("password must have at most 72 bytes");
    }

    @Test
    void trivialPasswordsAreRefused() {
        assertThat(problem(null, "aaaaaaaaaaaa")).contains("at least 5 different characters");
        assertThat(problem(null, "aaaaaaaaaaab")).contains("at least 5 different characters");
        assertThat(problem(null, "abcdeabcdeab")).contains("short piece repeated");
        assertThat(problem(null, "123456789012")).contains("run of keys");
        assertThat(problem(null, "987654321098")).contains("run of keys");
        assertThat(problem(null, "qwertyuiopas")).contains("run of keys");
        assertThat(problem(null, "abcdefghijkl")).contains("run of keys");
        assertThat(problem(null, "1qaz2wsx3edc")).contains("run of keys");
    }

    @Test
    void commonPasswordsAreRefusedAlsoWithDigitsAndSymbolsAroundOrInLeet() {
        assertThat(problem(null, "password1234")).contains("most common passwords");
        assertThat(problem(null, "Password2024!")).contains("most common passwords");
        assertThat(problem(null, "2024password!")).contains("most common passwords");
        assertThat(problem(null, "P@ssw0rd2024")).contains("most common passwords");
        assertThat(problem(null, "sunshine1234")).contains("most common passwords");
        assertThat(problem(null, "iloveyou!!!!2")).contains("most common passwords");
    }

    @Test
    void passwordsBuiltFromTheUserNameAreRefused() {
        assertThat(problem("gina", "gina12345678")).contains("built from the user name");
        assertThat(problem("gina", "gina_Gina2024")).contains("built from the user name");
        assertThat(problem("gina", "gina-password")).contains("built from the user name");
        assertThat(problem("bob", "bob-password-1")).contains("built from the user name");
        assertThat(problem("gina", "gina-likes-blue-kites")).isEqualTo("ok");
        assertThat(problem("admin", "test-admin-password")).isEqualTo("ok");
    }

    @Test
    void ordinaryPassphrasesPass() {
        assertThat(problem("bob", "tidal-ember-4821")).isEqualTo("ok");
        assertThat(problem("bob", "correct horse battery staple")).isEqualTo("ok");
        assertThat(problem("bob-1a2b3c4d", "bob-password-1")).isEqualTo("ok");
        assertThat(problem("admin", "Jq3vXw9_Tk2mLp8zRs4n")).isEqualTo("ok");
        // what the project's own tests and examples use
        for (String password : new String[] {"test-admin-password", "multi-node-admin-password", "replica-admin-password",
                "restart-admin-password", "api-bench-admin-password", "join-test-password", "node-test-password", "switch-password"}) {
            assertThat(problem("admin", password)).as(password).isEqualTo("ok");
        }
    }
}
