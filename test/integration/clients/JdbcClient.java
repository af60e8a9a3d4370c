import java.sql.*;

public class JdbcClient {
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0])) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE IF NOT EXISTS db_jdbc");
                try (ResultSet rs = s.executeQuery("SHOW DATABASES")) {
                    while (rs.next()) System.out.println("db " + rs.getString(1));
                }
            }
            try (ResultSet rs = c.getMetaData().getCatalogs()) {
                while (rs.next()) System.out.println("catalog " + rs.getString(1));
            }
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getTables("information_schema", null, "%", null)) {
                while (rs.next()) System.out.println("table " + rs.getString(3) + " " + rs.getString(4));
            }
            try (ResultSet rs = md.getColumns("information_schema", null, "SCHEMATA", "%")) {
                while (rs.next()) System.out.println("column " + rs.getString(3) + "." + rs.getString(4) + " " + rs.getString(6));
            }
            System.out.println("isolation " + c.getTransactionIsolation());
            try (PreparedStatement ps = c.prepareStatement("SELECT ? + 1, ?, ?, ?, ?, ?")) {
                ps.setInt(1, 41);
                ps.setLong(2, 1234567890123L);
                ps.setDouble(3, 2.5);
                ps.setString(4, "héllo");
                ps.setDate(5, Date.valueOf("2024-01-15"));
                ps.setTimestamp(6, Timestamp.valueOf("2024-01-15 10:20:30"));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    System.out.println("row " + rs.getLong(1) + " " + rs.getLong(2) + " " + rs.getDouble(3) + " " + rs.getString(4) + " " + rs.getString(5) + " " + rs.getString(6));
                }
            }
        }
    }
}
